import Foundation
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

/// The controller served by the real libmodbus server, driven by the real libmodbus client.
@Suite("Copier over Modbus TCP", .serialized)
struct ModbusServingTests {
    @Test func unlockThenAPanelJobThenItsRecord() throws {
        let copier = try RunningCopier()
        let client = try copier.modbusClient()
        try client.unlock(tag: 0xCAFE_F00D, budget: 100)
        #expect(try client.readInputRegisters(address: 8, count: 1) == [CopierState.ready.rawValue])

        let outcome = try copier.job(CopierJobRequest(copies: 2, originals: 3, colour: true, duplex: true, paper: .a3))
        #expect(outcome.sequence == 1 && outcome.pagesPrinted == 6 && outcome.end == .completed)
        #expect(outcome.scans.map { ($0 as NSString).lastPathComponent } == (1...6).map { "job-1-page-\($0).png" })
        #expect(outcome.scans.allSatisfy { FileManager.default.fileExists(atPath: $0) })

        #expect(try client.read32(CopierModbusMap.Input.latestJobSequence) == 1)
        let record = try client.record(1)
        #expect(record == (try CopierJobRecord(
            sequence: 1, sessionTag: 0xCAFE_F00D, colourPages: 6, monoPages: 0, copies: 2, duplex: true, paperSize: .a3, end: .completed
        )))
        #expect(try client.readHoldingRegisters(address: 2, count: 2) == [0, 94])
        #expect(try client.read32(CopierModbusMap.Input.totalColourPages) == 6)
        #expect(try client.readInputRegisters(address: 8, count: 1) == [CopierState.ready.rawValue])
    }

    @Test func budgetFiveStopsATenPageJobAtExactlyFive() throws {
        let copier = try RunningCopier()
        let client = try copier.modbusClient()
        try client.unlock(tag: 5, budget: 5)
        let outcome = try copier.job(CopierJobRequest(copies: 1, originals: 10))
        #expect(outcome.pagesPrinted == 5 && outcome.end == .budgetExhausted && outcome.scans.count == 5)
        #expect(try client.readCoils(address: 0, count: 1) == [false])
        #expect(try client.readHoldingRegisters(address: 2, count: 2) == [0, 0])
        #expect(try client.read32(CopierModbusMap.Input.totalPages) == 5)
        #expect(try client.record(1).pages == 5)
        #expect(try client.record(1).end == .budgetExhausted)
    }

    @Test func withoutHeartbeatsTheRelayDropsWithinTheWatchdogPeriod() throws {
        let copier = try RunningCopier()
        let client = try copier.modbusClient()
        try client.unlock(tag: 1, budget: 10, watchdog: 500)
        // Heartbeats every 100 ms keep it unlocked well past one period...
        for beat in 0..<8 {
            Thread.sleep(forTimeInterval: 0.1)
            try client.writeRegister(address: 1, UInt16(beat))
        }
        #expect(try client.readCoils(address: 0, count: 1) == [true])
        // ...and without them it locks within the period plus the ticker's slack.
        let stoppedAt = ContinuousClock.now
        var relay = true
        while relay && ContinuousClock.now - stoppedAt < .seconds(2) {
            relay = try client.readCoils(address: 0, count: 1)[0]
            if relay { Thread.sleep(forTimeInterval: 0.01) }
        }
        let elapsed = ContinuousClock.now - stoppedAt
        #expect(!relay)
        #expect(elapsed < .milliseconds(500 + 250), "locked after \(elapsed)")
        #expect(try client.readHoldingRegisters(address: 2, count: 2) == [0, 0])
        #expect(try client.readInputRegisters(address: 15, count: 1) == [0])
    }

    @Test func twoClientsHammeringNeverSeeATornValue() throws {
        let copier = try RunningCopier()
        let port = copier.host.modbusPort!
        let problems = Findings()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            do {
                let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), responseTimeout: .seconds(1))
                try client.connect()
                for round in 0..<250 {
                    // Each value has equal halves; a torn read would mix two writes' halves.
                    let word = UInt16(truncatingIfNeeded: worker * 10_000 + round)
                    try client.writeRegisters(address: 2, [word, word, word, word])
                    let registers = try client.readHoldingRegisters(address: 2, count: 4)
                    if registers[0] != registers[1] || registers[2] != registers[3] {
                        problems.add("worker \(worker) round \(round): \(registers)")
                    }
                }
            } catch {
                problems.add("worker \(worker): \(error)")
            }
        }
        #expect(problems.all.isEmpty)
    }

    @Test func eachModbusFaultAndItsClearing() throws {
        let copier = try RunningCopier()
        let simulator = copier.host.simulator
        let client = try copier.modbusClient(timeout: .milliseconds(400))
        #expect(try client.readInputRegisters(address: 12, count: 3) == [16, 14, 100])

        simulator.setModbusFault(.delay(.milliseconds(150)))
        let start = ContinuousClock.now
        #expect(try client.readInputRegisters(address: 12, count: 3) == [16, 14, 100])
        #expect(ContinuousClock.now - start >= .milliseconds(150))

        simulator.setModbusFault(.exception(.serverDeviceBusy))
        let busy = #expect(throws: ModbusError.self) { try client.readInputRegisters(address: 12, count: 1) }
        #expect(busy?.exceptionCode == 6)
        let refusedWrite = #expect(throws: ModbusError.self) { try client.writeRegisters(address: 2, [0, 9]) }
        #expect(refusedWrite?.exceptionCode == 6)

        simulator.setModbusFault(.drop)
        let dropped = #expect(throws: ModbusError.self) { try client.readInputRegisters(address: 12, count: 1) }
        #expect(dropped?.isLinkFailure == true, "\(String(describing: dropped))")
        try client.connect()

        simulator.setModbusFault(.silence)
        let silent = #expect(throws: ModbusError.self) { try client.readInputRegisters(address: 12, count: 1) }
        #expect(silent?.isTimeout == true, "\(String(describing: silent))")

        simulator.setModbusFault(.none)
        try client.connect()
        #expect(try client.readInputRegisters(address: 12, count: 3) == [16, 14, 100])
        #expect(try client.readHoldingRegisters(address: 2, count: 2) == [0, 0], "the refused, dropped and ignored writes did nothing")
    }

    @Test func exceptionsOfTheMapReachTheClient() throws {
        let copier = try RunningCopier()
        let client = try copier.modbusClient()
        func code(_ body: () throws -> Void) -> UInt8? {
            do { try body(); return nil } catch let error as ModbusError { return error.exceptionCode } catch { return nil }
        }
        #expect(code { try client.writeCoil(address: 0, true) } == 3)  // no budget
        #expect(code { try client.writeRegister(address: 0, 50) } == 3)  // watchdog out of range
        #expect(code { try client.writeRegister(address: 2, 5) } == 2)  // half a budget
        #expect(code { _ = try client.readInputRegisters(address: 24, count: 1) } == 2)  // unmapped
        copier.host.simulator.setCopierFault(.tonerEmpty)
        try client.writeRegisters(address: 2, [0, 5])
        #expect(code { try client.writeCoil(address: 0, true) } == 4)
        #expect(try client.readInputRegisters(address: 8, count: 2) == [3, 3])
    }
}
