import Testing
@testable import Protocol

@Suite("Copier Modbus request validator")
struct ModbusValidatorTests {
    struct HoldingCase: Sendable, CustomTestStringConvertible {
        let address: UInt16
        let values: [UInt16]
        let verdict: ModbusVerdict
        var testDescription: String { "holding \(address) <- \(values): \(verdict)" }
    }

    static let holdingCases: [HoldingCase] = [
        // watchdog timeout: 100...60000
        HoldingCase(address: 0, values: [2000], verdict: .accepted),
        HoldingCase(address: 0, values: [100], verdict: .accepted),
        HoldingCase(address: 0, values: [60000], verdict: .accepted),
        HoldingCase(address: 0, values: [99], verdict: .refused(.illegalDataValue)),
        HoldingCase(address: 0, values: [0], verdict: .refused(.illegalDataValue)),
        HoldingCase(address: 0, values: [60001], verdict: .refused(.illegalDataValue)),
        HoldingCase(address: 0, values: [0xFFFF], verdict: .refused(.illegalDataValue)),
        // heartbeat: any value
        HoldingCase(address: 1, values: [0], verdict: .accepted),
        HoldingCase(address: 1, values: [0xFFFF], verdict: .accepted),
        // page budget: any u32, both halves in one write
        HoldingCase(address: 2, values: [0, 0], verdict: .accepted),
        HoldingCase(address: 2, values: [0xFFFF, 0xFFFF], verdict: .accepted),
        HoldingCase(address: 2, values: [0], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 3, values: [5], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 3, values: [5, 0, 1], verdict: .refused(.illegalDataAddress)),
        // session tag: any u32, both halves in one write
        HoldingCase(address: 4, values: [0x1234, 0x5678], verdict: .accepted),
        HoldingCase(address: 4, values: [1], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 5, values: [1], verdict: .refused(.illegalDataAddress)),
        // several items in one write: each checked
        HoldingCase(address: 0, values: [2000, 1, 0, 10, 0, 7], verdict: .accepted),
        HoldingCase(address: 0, values: [99, 1, 0, 10, 0, 7], verdict: .refused(.illegalDataValue)),
        HoldingCase(address: 1, values: [1, 0, 10], verdict: .accepted),
        HoldingCase(address: 2, values: [0, 10, 0, 7], verdict: .accepted),
        // unmapped addresses and reach beyond the map
        HoldingCase(address: 6, values: [0], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 4, values: [0, 1, 2], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 100, values: [0], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 1000, values: [0], verdict: .refused(.illegalDataAddress)),  // half the firmware image id
        HoldingCase(address: 1128, values: [0], verdict: .refused(.illegalDataAddress)),
        HoldingCase(address: 0xFFFF, values: [0, 0], verdict: .refused(.illegalDataAddress)),
        // quantity outside 1...123 comes first
        HoldingCase(address: 0, values: [], verdict: .refused(.illegalDataValue)),
        HoldingCase(address: 0, values: [UInt16](repeating: 2000, count: 124), verdict: .refused(.illegalDataValue)),
        // an address-and-value problem is an address problem
        HoldingCase(address: 0, values: [99, 0, 0, 0, 0, 0, 0], verdict: .refused(.illegalDataAddress)),
    ]

    @Test(arguments: holdingCases)
    func holdingWrites(_ test: HoldingCase) {
        #expect(CopierModbusMap.validateHoldingWrite(address: test.address, values: test.values) == test.verdict)
    }

    @Test func everyWatchdogValueAtTheEdges() {
        for value: UInt16 in [0, 1, 98, 99, 100, 101, 2000, 59999, 60000, 60001, 65535] {
            let expected: ModbusVerdict = (100...60000).contains(value) ? .accepted : .refused(.illegalDataValue)
            #expect(CopierModbusMap.validateHoldingWrite(address: 0, values: [value]) == expected)
        }
        #expect(CopierModbusMap.watchdogTimeoutRange == 100...60000)
        #expect(CopierModbusMap.defaultWatchdogTimeout == 2000)
    }

    @Test func relayCoilWrites() {
        func verdict(_ address: UInt16, _ values: [Bool], _ state: CopierState = .locked, budget: UInt32 = 10) -> ModbusVerdict {
            CopierModbusMap.validateCoilWrite(address: address, values: values, state: state, pageBudget: budget)
        }
        #expect(verdict(0, [true]) == .accepted)
        #expect(verdict(0, [false]) == .accepted)
        #expect(verdict(0, [true], .copying) == .accepted)
        #expect(verdict(0, [false], .fault, budget: 0) == .accepted)
        #expect(verdict(0, [true], .fault) == .refused(.serverDeviceFailure))
        #expect(verdict(0, [true], budget: 0) == .refused(.illegalDataValue))
        #expect(verdict(1, [true]) == .refused(.illegalDataAddress))
        #expect(verdict(0, [true, false]) == .refused(.illegalDataAddress))
        #expect(verdict(0, []) == .refused(.illegalDataValue))
        #expect(verdict(0, [Bool](repeating: false, count: 1969)) == .refused(.illegalDataValue))
    }

    @Test func reads() {
        func verdict(_ table: ModbusTable, _ address: UInt16, _ count: Int) -> ModbusVerdict {
            CopierModbusMap.validateRead(table, address: address, count: count)
        }
        #expect(verdict(.coil, 0, 1) == .accepted)
        #expect(verdict(.coil, 0, 2) == .refused(.illegalDataAddress))
        #expect(verdict(.coil, 0, 0) == .refused(.illegalDataValue))
        #expect(verdict(.discreteInput, 0, 1) == .refused(.illegalDataAddress))
        #expect(verdict(.holding, 0, 6) == .accepted)
        #expect(verdict(.holding, 3, 1) == .accepted)
        #expect(verdict(.holding, 0, 7) == .refused(.illegalDataAddress))
        #expect(verdict(.input, 0, 24) == .accepted)
        #expect(verdict(.input, 0, 25) == .refused(.illegalDataAddress))
        #expect(verdict(.input, 100, 125) == .accepted)
        #expect(verdict(.input, 100, 126) == .refused(.illegalDataValue))
        #expect(verdict(.input, 310, 14) == .accepted)
        #expect(verdict(.input, 310, 15) == .refused(.illegalDataAddress))
        #expect(verdict(.input, 99, 1) == .refused(.illegalDataAddress))
        #expect(verdict(.input, 1000, 16) == .accepted)
        #expect(verdict(.input, 1016, 1) == .refused(.illegalDataAddress))
        #expect(verdict(.input, 0xFFFF, 2) == .refused(.illegalDataAddress))
    }

    @Test func exceptionCodesAreTheStandardOnes() {
        #expect(ModbusException.illegalFunction.rawValue == 1)
        #expect(ModbusException.illegalDataAddress.rawValue == 2)
        #expect(ModbusException.illegalDataValue.rawValue == 3)
        #expect(ModbusException.serverDeviceFailure.rawValue == 4)
        #expect(ModbusException.acknowledge.rawValue == 5)
        #expect(ModbusException.serverDeviceBusy.rawValue == 6)
        #expect(ModbusException.memoryParityError.rawValue == 8)
        #expect(ModbusException.gatewayPathUnavailable.rawValue == 10)
        #expect(ModbusException.gatewayTargetFailedToRespond.rawValue == 11)
        #expect(ModbusException.illegalDataValue.description == "ILLEGAL DATA VALUE")
    }
}
