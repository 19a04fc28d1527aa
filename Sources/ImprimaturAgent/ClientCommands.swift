import ArgumentParser
import DeviceAgent
import Foundation

/// The socket of a running agent: `--socket PATH`, or the one its configuration names.
struct SocketOption: ParsableArguments {
    @Option(name: .long, help: "The agent's local API socket (default: state.api_socket of --config).")
    var socket: String?

    @Option(name: .long, help: "The agent's configuration file, to find its socket.")
    var config: String = "/etc/imprimatur/agent.toml"

    func path() throws -> String {
        if let socket { return socket }
        var options = ConfigOption()
        options.config = config
        return try options.load().localAPISocket
    }

    func send(_ request: LocalAPI.Request) throws -> LocalAPI.Response {
        let path = try path()
        do {
            return try LocalAPIClient(path: path).send(request)
        } catch {
            throw ValidationError("cannot reach the agent at \(path): \(error)")
        }
    }
}

/// Prints an answer as one JSON line; a refused request exits 1.
func printAnswer(_ response: LocalAPI.Response) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(response), as: UTF8.self))
    if !response.ok { throw ExitCode(1) }
}

struct TapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tap", abstract: "Present a card (or a user id and PIN) to the agent, as the reader would.")

    @Option(name: .long, help: "The card number.") var card: String?
    @Option(name: .long, help: "A user id, instead of a card (needs --pin).") var user: String?
    @Option(name: .long, help: "The PIN.") var pin: String?
    @OptionGroup var socket: SocketOption

    func validate() throws {
        if card == nil && user == nil { throw ValidationError("give --card, or --user with --pin") }
        if card != nil && user != nil { throw ValidationError("give --card or --user, not both") }
        if user != nil && pin == nil { throw ValidationError("--user needs --pin") }
    }

    func run() throws {
        try printAnswer(try socket.send(LocalAPI.Request(op: "tap", card: card, user: user, pin: pin)))
    }
}

struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the open session: the copier locks.")
    @OptionGroup var socket: SocketOption
    func run() throws { try printAnswer(try socket.send(LocalAPI.Request(op: "logout"))) }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "What the agent is doing: session, copier, events.")
    @OptionGroup var socket: SocketOption
    func run() throws { try printAnswer(try socket.send(LocalAPI.Request(op: "status"))) }
}
