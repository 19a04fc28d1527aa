import ArgumentParser
import DeviceAgent
import Foundation
import Protocol

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
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Present a card (or a user id and PIN) to the agent, as the reader would.",
        discussion: "At the copier: --card N [--pin P]. At the seal: add --seal --application ID (an approved seal application of yours)."
    )

    @Option(name: .long, help: "The card number.") var card: String?
    @Option(name: .long, help: "A user id, instead of a card (needs --pin).") var user: String?
    @Option(name: .long, help: "The PIN.") var pin: String?
    @Flag(name: .long, help: "Tap at the seal, not the copier (needs --application).") var seal = false
    @Option(name: .long, help: "The approved seal application to use (with --seal).") var application: String?
    @OptionGroup var socket: SocketOption

    func validate() throws {
        if card == nil && user == nil { throw ValidationError("give --card, or --user with --pin") }
        if card != nil && user != nil { throw ValidationError("give --card or --user, not both") }
        if user != nil && pin == nil { throw ValidationError("--user needs --pin") }
        if seal && application == nil { throw ValidationError("--seal needs --application ID (the approved seal application)") }
        if !seal && application != nil { throw ValidationError("--application is for a tap at the seal: add --seal") }
    }

    func run() throws {
        try printAnswer(try socket.send(LocalAPI.Request(op: "tap", card: card, user: user, pin: pin,
                                                         seal: seal ? true : nil, application: application)))
    }
}

struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the open sessions: the copier and the seal lock.")
    @Flag(name: .long, help: "End only the seal's session.") var seal = false
    @OptionGroup var socket: SocketOption
    func run() throws { try printAnswer(try socket.send(LocalAPI.Request(op: "logout", seal: seal ? true : nil))) }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "What the agent is doing: session, copier, events; the seal (present, locked or open, uses left).")
    @OptionGroup var socket: SocketOption
    func run() throws { try printAnswer(try socket.send(LocalAPI.Request(op: "status"))) }
}

struct VerifyBillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bill",
        abstract: "Check a bill against this device's own data (docs/bills.md).",
        discussion: """
            The agent first re-checks its event chain and signed checkpoints, then hashes its usage for the bill's users and period.
            Prints MATCH (exit 0), ALTERED with the event where the device's data was changed (exit 3), or MISMATCH with the first
            job and field that differ (exit 4). A bill that cannot be read exits 2; an agent that cannot be reached, 1.
            With --line N only line N is checked, with its inclusion proof against the bill's checkpoint.
            """
    )

    @Argument(help: "The bill, as JSON (GET /api/v1/bills/ID or `imprimatur-server bill show ID`).") var bill: String
    @Option(name: .long, help: "Check only this line (1 = the first) with its inclusion proof.") var line: Int?
    @OptionGroup var socket: SocketOption

    func run() throws {
        let parsed: Bill
        do {
            guard let data = FileManager.default.contents(atPath: bill) else { throw BillError.notJSON("cannot read \(bill)") }
            parsed = try Bill.decode(data)
        } catch {
            FileHandle.standardError.write(Data("\(bill): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let verifier = BillVerifier(send: { request in try socket.send(request) })
        let outcome: BillVerifier.Outcome
        do {
            outcome = try line.map { try verifier.verifyLine(parsed, number: $0) } ?? verifier.verify(parsed)
        } catch let error as BillError {
            FileHandle.standardError.write(Data("\(bill): \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("verify-bill: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(outcome)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
