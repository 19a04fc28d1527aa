import LineIO
import Foundation
import Glibc
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

/// The real `firmware-sim` executable, started as processes: `copier serve`, and the `copier job`,
/// `status` and `fault` clients.
@Suite("firmware-sim copier, end to end")
struct FirmwareSimProcessTests {
    /// A running `firmware-sim copier serve` and the ports it printed.
    struct Served {
        let process: ChildProcess
        let modbus: Int
        let panel: String

        init(_ executable: String, stateDirectory: String, extra: [String] = []) throws {
            process = try ChildProcess(executable, [
                "copier", "serve", "--modbus", "127.0.0.1:0", "--panel", "127.0.0.1:0", "--state-dir", stateDirectory,
                "--page-rate", "500",
            ] + extra)
            let line: String
            do {
                line = try process.readLine(timeout: .seconds(10))
            } catch {
                throw ProcessFailure(description: "\(error); stderr: \(process.standardError)")
            }
            let ready = try #require(try JSONParser.parse(line).objectValue)
            modbus = Int(try #require(ready["modbus"]?.integerValue))
            panel = "127.0.0.1:\(try #require(ready["panel"]?.integerValue))"
            #expect(ready["state_dir"]?.stringValue == stateDirectory)
        }

        func modbusClient() throws -> ModbusClient {
            let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: modbus), responseTimeout: .seconds(1))
            try client.connect()
            return client
        }

        /// SIGTERM, then the exit status.
        func terminate() throws -> Int32 {
            process.send(SIGTERM)
            return try process.waitForExit(timeout: .seconds(10))
        }
    }

    @Test func serveJobStatusRestartAndSigterm() throws {
        let executable = try BuildProducts.executable("firmware-sim")
        let directory = try TemporaryDirectory("firmware-sim")
        let state = directory.appending("state")

        let first = try Served(executable, stateDirectory: state)
        try first.modbusClient().unlock(tag: 42, budget: 50)
        let job = try ChildProcess.run(executable, ["copier", "job", "--panel", first.panel, "--copies", "2", "--pages", "3", "--colour", "--paper", "B5"])
        #expect(job.status == 0, "\(job.error)")
        let outcome = try CopierJobOutcome(json: JSONParser.parse(job.output.trimmingCharacters(in: .newlines)))
        #expect(outcome.sequence == 1 && outcome.pagesPrinted == 6 && outcome.end == .completed)
        #expect(outcome.scans.first == state + "/scans/job-1-page-1.png")
        #expect(outcome.scans.allSatisfy { FileManager.default.fileExists(atPath: $0) })

        let status = try ChildProcess.run(executable, ["copier", "status", "--panel", first.panel])
        #expect(status.status == 0)
        let fields = try #require(try JSONParser.parse(status.output.trimmingCharacters(in: .newlines)).objectValue)
        #expect(fields["boot_count"] == 1 && fields["total_pages"] == 6 && fields["total_colour_pages"] == 6)
        #expect(try first.terminate() == 0)

        // Power-cycled: totals and ring kept, boot count one more, locked again.
        let second = try Served(executable, stateDirectory: state)
        let client = try second.modbusClient()
        #expect(try client.read32(CopierModbusMap.Input.bootCount) == 2)
        #expect(try client.read32(CopierModbusMap.Input.totalPages) == 6)
        #expect(try client.read32(CopierModbusMap.Input.latestJobSequence) == 1)
        #expect(try client.record(1) == (try CopierJobRecord(
            sequence: 1, sessionTag: 42, colourPages: 6, monoPages: 0, copies: 2, duplex: false, paperSize: .b5, end: .completed
        )))
        #expect(try client.readCoils(address: 0, count: 1) == [false])

        let locked = try ChildProcess.run(executable, ["copier", "job", "--panel", second.panel, "--pages", "1"])
        #expect(locked.status == 0)
        #expect(locked.output == #"{"job":null,"pages_printed":0,"stopped":"locked","scans":[]}"# + "\n")

        let fault = try ChildProcess.run(executable, ["copier", "fault", "--panel", second.panel, "--exception", "6"])
        #expect(fault.status == 0, "\(fault.error)")
        let refused = #expect(throws: ModbusError.self) { try client.readCoils(address: 0, count: 1) }
        #expect(refused?.exceptionCode == 6)
        #expect(try ChildProcess.run(executable, ["copier", "fault", "--panel", second.panel, "--clear"]).status == 0)
        #expect(try client.readCoils(address: 0, count: 1) == [false])
        #expect(try second.terminate() == 0)
    }

    @Test func clientsFailClearly() throws {
        let executable = try BuildProducts.executable("firmware-sim")
        let directory = try TemporaryDirectory("firmware-sim")
        // Nothing listens on the port of a socket bound and closed just now.
        let (fd, port) = try LineSocket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        close(fd)
        let unreachable = try ChildProcess.run(executable, ["copier", "status", "--panel", "127.0.0.1:\(port)"])
        #expect(unreachable.status == 1)
        #expect(unreachable.error.contains("cannot connect to 127.0.0.1:\(port)"), "\(unreachable.error)")

        let badArgument = try ChildProcess.run(executable, ["copier", "job", "--panel", "127.0.0.1:\(port)", "--pages", "0"])
        #expect(badArgument.status != 0)
        #expect(badArgument.error.contains("--pages must be from 1 to 65535"), "\(badArgument.error)")

        let twoFaults = try ChildProcess.run(executable, ["copier", "fault", "--drop", "--silence"])
        #expect(twoFaults.status != 0)
        #expect(twoFaults.error.contains("exactly one of"))

        // A corrupt state file stops the start-up with its name; it is left for a person to look at.
        let state = directory.appending("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try "{\"format\":1}".write(toFile: state + "/copier-state.json", atomically: false, encoding: .utf8)
        let corrupt = try ChildProcess.run(executable, ["copier", "serve", "--modbus", "127.0.0.1:0", "--panel", "127.0.0.1:0", "--state-dir", state])
        #expect(corrupt.status == 1)
        #expect(corrupt.error.contains("state file \(state)/copier-state.json is corrupt: field \"model\" is missing"), "\(corrupt.error)")

        // --reset-state starts afresh, on purpose.
        let fresh = try Served(executable, stateDirectory: state, extra: ["--reset-state", "--model", "mono"])
        #expect(try fresh.modbusClient().readInputRegisters(address: 18, count: 6) == [0, 1, 1, 0, 0, CopierModel.simulatedMono.rawValue])
        fresh.process.send(SIGINT)
        #expect(try fresh.process.waitForExit(timeout: .seconds(10)) == 0)
    }
}
