import Testing
@testable import Protocol

@Suite("Modbus register pairs")
struct ModbusRegisterPairTests {
    static let cases: [(UInt32, UInt16, UInt16)] = [
        (0, 0x0000, 0x0000),
        (1, 0x0000, 0x0001),
        (65535, 0x0000, 0xFFFF),
        (65536, 0x0001, 0x0000),
        (0x1234_5678, 0x1234, 0x5678),
        (UInt32.max, 0xFFFF, 0xFFFF),
    ]

    @Test(arguments: cases)
    func splitsHighWordFirst(value: UInt32, high: UInt16, low: UInt16) {
        #expect(RegisterPair.registers(value) == [high, low])
        #expect(RegisterPair.split(value) == (high, low))
        #expect(RegisterPair.join(high: high, low: low) == value)
        #expect(RegisterPair.value(in: [0xAAAA, high, low], at: 1) == value)
    }

    @Test func valueOutsideTheArrayIsNil() {
        #expect(RegisterPair.value(in: [1, 2], at: 1) == nil)
        #expect(RegisterPair.value(in: [1, 2], at: -1) == nil)
        #expect(RegisterPair.value(in: [], at: 0) == nil)
    }
}
