import CopierSimulator
import Foundation
import ModbusIO
import Protocol
import Testing
import TestSupport

/// The agent reads a job's scans as soon as it sees `latest_job` move over Modbus. The Modbus
/// request that brings the controller past a job's end must therefore not be answered before
/// that job's last scans are in the folder (under load the agent once found page 6 of 6 missing).
@Suite("Scans are written before Modbus shows the job ended")
struct ScansBeforeModbusTests {
    @Test func everyScanOfAJobIsInTheFolderWhenLatestJobMoves() throws {
        let directory = try TemporaryDirectory("copier-scans")
        let simulator = try CopierSimulator(options: CopierSimulatorOptions(
            stateDirectory: directory.path, pageRate: CopierPageRate(pagesPerSecond: 50)!))
        defer { try? simulator.shutdown() }
        // The agent's unlock: session tag, budget, relay on (docs/modbus-map.md, "Unlock").
        for write: ModbusRequest in [.writeRegisters(address: 4, values: RegisterPair.registers(7)),
                                     .writeRegisters(address: 2, values: RegisterPair.registers(100)),
                                     .writeCoil(address: 0, value: true)] {
            guard case .answer = simulator.handleModbus(write) else { Issue.record("unlock write \(write) refused"); return }
        }

        let request = try CopierJobRequest(copies: 2, originals: 3)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? simulator.runJob(request)
            finished.signal()
        }
        // Poll as fast as a client can: most of the time it is this read, not the 10 ms ticker,
        // that brings the controller past the job's end.
        let deadline = ContinuousClock.now + .seconds(20)
        var latest: UInt32 = 0
        while latest == 0 && ContinuousClock.now < deadline {
            guard case let .answer(image) = simulator.handleModbus(.readInputRegisters(address: 10, count: 2)) else {
                Issue.record("status read refused")
                return
            }
            latest = RegisterPair.join(high: image.inputRegisters[10], low: image.inputRegisters[11])
        }
        let missing = (1...request.totalPages).filter {
            !FileManager.default.fileExists(atPath: "\(simulator.scanWriter.folder)/job-1-page-\($0).png")
        }
        #expect(latest == 1)
        #expect(missing.isEmpty, "latest_job said job 1 had ended, but the scans of page(s) \(missing) were not there yet")
        #expect(finished.wait(timeout: .now() + .seconds(20)) == .success)
    }
}
