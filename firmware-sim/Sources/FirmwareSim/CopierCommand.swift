import LineIO
import ArgumentParser
import CopierSimulator

struct CopierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copier",
        abstract: "The simulated copier controller: serve it, and use its front panel.",
        subcommands: [CopierServeCommand.self, CopierJobCommand.self, CopierStatusCommand.self, CopierFaultCommand.self, CopierCancelCommand.self]
    )
}

/// Where the panel of a running `copier serve` is, for the client commands.
struct PanelOption: ParsableArguments {
    @Option(name: .long, help: "The front panel's address, HOST:PORT (the \"panel\" port that serve printed).")
    var panel: String = CopierDefaults.panel

    func address() throws -> SocketAddress {
        do {
            return try SocketAddress.parse(panel, allowAnyPort: false)
        } catch {
            throw ValidationError("--panel: \(error)")
        }
    }
}

enum CopierDefaults {
    static let modbus = "127.0.0.1:1502"
    static let panel = "127.0.0.1:1503"
}
