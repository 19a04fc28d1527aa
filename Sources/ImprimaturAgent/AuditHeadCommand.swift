import ArgumentParser
import DeviceAgent
import Foundation
import Protocol

/// `imprimatur-agent audit-head`: the server's newest signed audit head this agent keeps, as the
/// anchor file `imprimatur-server audit verify --against FILE` checks the server's database with.
struct AuditHeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-head",
        abstract: "Print the server's signed audit head this agent keeps, as a JSON anchor file (for `imprimatur-server audit verify --against`)."
    )
    @Option(name: .long, help: "Write the file here instead of printing it.") var out: String?
    @OptionGroup var socket: SocketOption

    func run() throws {
        let response = try socket.send(LocalAPI.Request(op: "audit-head"))
        guard response.ok, let file = response.auditHead else {
            FileHandle.standardError.write(Data("audit-head: \(response.error ?? "no audit head in the answer")\n".utf8))
            throw ExitCode(1)
        }
        let json = file.json() + Data("\n".utf8)
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: json) else { throw ValidationError("cannot write \(out)") }
        } else {
            FileHandle.standardOutput.write(json)
        }
    }
}
