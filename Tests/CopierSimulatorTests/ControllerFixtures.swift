import ModbusIO
import Protocol
import Testing
@testable import CopierSimulator

/// `n` milliseconds after power-on.
func ms(_ value: Int64) -> Duration { .milliseconds(value) }

extension CopierController {
    /// A controller fresh from the factory, powered on at time 0, 10 pages a second (one page
    /// every 100 ms).
    static func fresh(_ model: CopierModel = .simulatedColour, pagesPerSecond: Double = 10) -> CopierController {
        CopierController(poweringOnWith: .factoryNew(model: model), pageRate: CopierPageRate(pagesPerSecond: pagesPerSecond)!)
    }

    /// The agent's unlock: session tag, budget, relay 1 (docs/modbus-map.md, "Unlock").
    mutating func unlock(tag: UInt32 = 0xCAFE_F00D, budget: UInt32, at time: Duration) {
        #expect(handle(.writeRegisters(address: 4, values: RegisterPair.registers(tag)), now: time).isAnswer)
        #expect(handle(.writeRegisters(address: 2, values: RegisterPair.registers(budget)), now: time).isAnswer)
        #expect(handle(.writeCoil(address: 0, value: true), now: time).isAnswer)
    }

    mutating func heartbeat(_ value: UInt16 = 1, at time: Duration) {
        #expect(handle(.writeRegister(address: 1, value: value), now: time).isAnswer)
    }

    /// Starts a job; throws the copier's refusal.
    mutating func start(copies: UInt16 = 1, originals: UInt16, colour: Bool = false, duplex: Bool = false, paper: PaperSize = .a4, at time: Duration) throws -> UInt32 {
        try startJob(CopierJobRequest(copies: copies, originals: originals, colour: colour, duplex: duplex, paper: paper), now: time)
    }

    /// Input registers as a Modbus read at `time` sees them.
    mutating func input(_ field: InputField, at time: Duration) -> [UInt16] {
        guard case let .answer(image) = handle(.readInputRegisters(address: Int(field.address), count: Int(field.count)), now: time) else {
            return []
        }
        return Array(image.inputRegisters[field.addresses])
    }

    mutating func input32(_ field: InputField, at time: Duration) -> UInt32 {
        RegisterPair.value(in: input(field, at: time), at: 0) ?? 0
    }

    /// The record in the ring slot of `sequence`, decoded as the agent decodes it.
    mutating func record(_ sequence: UInt32, at time: Duration) throws -> CopierJobRecord {
        try CopierJobRecord(registers: input(CopierJobRing.slot(for: sequence), at: time))
    }

    /// The records of the jobs that ended since the last call.
    mutating func endedJobs() -> [CopierJobRecord] {
        takeEvents().compactMap { if case let .jobEnded(record) = $0 { return record } else { return nil } }
    }
}

extension ModbusDecision {
    var isAnswer: Bool { if case .answer = self { return true } else { return false } }
    var exceptionCode: UInt8? { if case let .exception(code) = self { return code } else { return nil } }
}
