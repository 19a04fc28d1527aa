import LineIO
import ArgumentParser
import CopierSimulator
import Protocol

/// Sends one command to the panel and returns its answer; an `{"error": ...}` answer or a
/// connection failure ends the command with a message and exit status 1.
private func ask(_ address: SocketAddress, _ command: PanelCommand, timeout: Duration?) throws -> JSONValue {
    let answer: JSONValue
    do {
        let client = try CopierPanelClient(address: address)
        answer = try client.send(command, timeout: timeout)
    } catch {
        throw Console.fail("\(error) (is `firmware-sim copier serve` running with --panel \(address)?)")
    }
    if let message = answer.objectValue?["error"]?.stringValue {
        throw Console.fail("the panel refused the command: \(message)")
    }
    return answer
}

struct CopierJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Run a job at the front panel; prints its one-line JSON result when it ends.",
        discussion: "Exit status 0 whenever the copier answered, even if it stopped early (see \"stopped\")."
    )

    @OptionGroup var panel: PanelOption

    @Option(help: "Copies (1...65535).")
    var copies: Int = 1

    @Option(help: "Originals, pages per copy (1...65535).")
    var pages: Int

    @Flag(help: "Colour (a mono copier prints mono).")
    var colour = false

    @Flag(help: "Two-sided.")
    var duplex = false

    @Option(help: "Paper: A4, A3, B4, B5, Letter or Legal.")
    var paper: String = "A4"

    func validate() throws {
        guard (1...65535).contains(copies) else { throw ValidationError("--copies must be from 1 to 65535") }
        guard (1...65535).contains(pages) else { throw ValidationError("--pages must be from 1 to 65535") }
        guard PaperSize(name: paper) != nil else { throw ValidationError("--paper must be one of A4, A3, B4, B5, Letter, Legal") }
    }

    func run() throws {
        let request: CopierJobRequest
        do {
            request = try CopierJobRequest(
                copies: UInt16(copies), originals: UInt16(pages), colour: colour, duplex: duplex,
                paper: PaperSize(name: paper) ?? .a4
            )
        } catch {
            throw ValidationError(error.description)
        }
        Console.line(try ask(panel.address(), .job(request), timeout: nil).text)
    }
}

struct CopierStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print the copier's state as one JSON line.")

    @OptionGroup var panel: PanelOption

    func run() throws {
        Console.line(try ask(panel.address(), .status, timeout: .seconds(10)).text)
    }
}

struct CopierCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the running job, as the panel's stop button.")

    @OptionGroup var panel: PanelOption

    func run() throws {
        Console.line(try ask(panel.address(), .cancel, timeout: .seconds(10)).text)
    }
}

struct CopierFaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Inject or clear a Modbus link fault or a copier hardware fault; prints the new status."
    )

    @OptionGroup var panel: PanelOption

    @Option(help: "Delay every Modbus answer by this many milliseconds (1...60000).")
    var delayMs: Int?

    @Option(help: "Answer every Modbus request with this exception code (1, 2, 3, 4, 5, 6, 8, 10, 11).")
    var exception: Int?

    @Flag(help: "Drop each Modbus connection on its next request.")
    var drop = false

    @Flag(help: "Stop answering Modbus requests.")
    var silence = false

    @Flag(help: "Clear the Modbus link fault.")
    var clear = false

    @Option(help: "Raise a hardware fault: 1 paper jam, 2 out of paper, 3 toner empty, 4 door open, 5 internal error.")
    var copierFault: Int?

    @Flag(help: "Clear the hardware fault (the copier becomes locked).")
    var clearCopierFault = false

    func command() throws -> PanelCommand {
        var chosen: [PanelCommand] = []
        if let delayMs {
            guard ModbusFaultInjection.delayRange.contains(Int64(delayMs)) else { throw ValidationError("--delay-ms must be from 1 to 60000") }
            chosen.append(.modbusFault(.delay(.milliseconds(delayMs))))
        }
        if let exception {
            guard let code = UInt8(exactly: exception), let value = ModbusException(rawValue: code) else {
                throw ValidationError("--exception must be a Modbus exception code: 1, 2, 3, 4, 5, 6, 8, 10 or 11")
            }
            chosen.append(.modbusFault(.exception(value)))
        }
        if drop { chosen.append(.modbusFault(.drop)) }
        if silence { chosen.append(.modbusFault(.silence)) }
        if clear { chosen.append(.modbusFault(.none)) }
        if let copierFault {
            guard let code = UInt16(exactly: copierFault), (1...5).contains(code), let fault = CopierFault(rawValue: code) else {
                throw ValidationError("--copier-fault must be from 1 to 5")
            }
            chosen.append(.copierFault(fault))
        }
        if clearCopierFault { chosen.append(.copierFault(.none)) }
        guard chosen.count == 1 else {
            throw ValidationError("give exactly one of --delay-ms, --exception, --drop, --silence, --clear, --copier-fault, --clear-copier-fault")
        }
        return chosen[0]
    }

    func validate() throws { _ = try command() }

    func run() throws {
        Console.line(try ask(panel.address(), try command(), timeout: .seconds(10)).text)
    }
}
