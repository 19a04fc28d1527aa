import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

@Suite("Copier over Modbus RTU")
struct ModbusRTUServingTests {
    @Test func unlockThenAPanelJobThenItsRecordOverRTU() throws {
        let bridge = try PtyBridge()
        defer { bridge.stop() }
        let copier = try RunningCopier(model: .simulatedMono, modbus: .rtu(path: bridge.firstPath))
        defer { try? copier.stop() }
        #expect(copier.host.modbusPort == nil)
        let client = ModbusClient(endpoint: .rtu(path: bridge.secondPath), responseTimeout: .seconds(1))
        try client.connect()
        defer { client.close() }
        #expect(try client.readInputRegisters(address: 23, count: 1) == [CopierModel.simulatedMono.rawValue])
        try client.unlock(tag: 0x0102_0304, budget: 3)
        // A mono copier asked for colour prints mono; the budget stops the job after 3 of 4.
        let outcome = try copier.job(CopierJobRequest(copies: 2, originals: 2, colour: true, paper: .legal))
        #expect(outcome.pagesPrinted == 3 && outcome.end == .budgetExhausted)
        #expect(try client.read32(CopierModbusMap.Input.latestJobSequence) == 1)
        #expect(try client.record(1) == (try CopierJobRecord(
            sequence: 1, sessionTag: 0x0102_0304, colourPages: 0, monoPages: 3, copies: 2, duplex: false, paperSize: .legal, end: .budgetExhausted
        )))
        #expect(try client.readCoils(address: 0, count: 1) == [false])
    }
}
