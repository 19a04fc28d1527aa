import ModbusIO
import Protocol
import Testing
@testable import CopierSimulator

@Suite("Copier controller: Modbus requests")
struct ControllerModbusTests {
    struct RequestCase: Sendable, CustomTestStringConvertible {
        let request: ModbusRequest
        /// nil: answered.
        let exception: ModbusException?
        var testDescription: String { "\(request) -> \(exception.map(\.description) ?? "answer")" }
    }

    static let cases: [RequestCase] = [
        // Served functions, mapped addresses.
        RequestCase(request: .readCoils(address: 0, count: 1), exception: nil),
        RequestCase(request: .readHoldingRegisters(address: 0, count: 6), exception: nil),
        RequestCase(request: .readHoldingRegisters(address: 3, count: 1), exception: nil),  // half a pair may be read
        RequestCase(request: .readInputRegisters(address: 0, count: 24), exception: nil),
        RequestCase(request: .readInputRegisters(address: 100, count: 125), exception: nil),
        RequestCase(request: .readInputRegisters(address: 310, count: 14), exception: nil),
        RequestCase(request: .writeRegister(address: 0, value: 100), exception: nil),
        RequestCase(request: .writeRegister(address: 1, value: 0xFFFF), exception: nil),
        RequestCase(request: .writeRegisters(address: 0, values: [2000, 1, 0, 5, 0, 9]), exception: nil),
        RequestCase(request: .writeCoil(address: 0, value: false), exception: nil),
        RequestCase(request: .writeCoils(address: 0, values: [false]), exception: nil),
        // Functions not served.
        RequestCase(request: .readDiscreteInputs(address: 0, count: 1), exception: .illegalFunction),
        RequestCase(request: .unsupported(function: 0x14), exception: .illegalFunction),
        RequestCase(request: .unsupported(function: 0x2B), exception: .illegalFunction),
        // Unmapped, read-only, half pairs.
        RequestCase(request: .readCoils(address: 1, count: 1), exception: .illegalDataAddress),
        RequestCase(request: .readCoils(address: 0, count: 2), exception: .illegalDataAddress),
        RequestCase(request: .readHoldingRegisters(address: 0, count: 7), exception: .illegalDataAddress),
        RequestCase(request: .readInputRegisters(address: 20, count: 5), exception: .illegalDataAddress),
        RequestCase(request: .readInputRegisters(address: 24, count: 1), exception: .illegalDataAddress),
        RequestCase(request: .readInputRegisters(address: 99, count: 2), exception: .illegalDataAddress),
        RequestCase(request: .readInputRegisters(address: 320, count: 4), exception: nil),
        RequestCase(request: .readInputRegisters(address: 320, count: 5), exception: .illegalDataAddress),
        RequestCase(request: .readInputRegisters(address: 1016, count: 1), exception: .illegalDataAddress),
        RequestCase(request: .readHoldingRegisters(address: 1128, count: 1), exception: .illegalDataAddress),
        RequestCase(request: .writeRegisters(address: 2, values: [5]), exception: .illegalDataAddress),
        RequestCase(request: .writeRegister(address: 3, value: 5), exception: .illegalDataAddress),
        RequestCase(request: .writeRegister(address: 4, value: 5), exception: .illegalDataAddress),
        RequestCase(request: .writeRegister(address: 6, value: 5), exception: .illegalDataAddress),
        RequestCase(request: .writeCoil(address: 1, value: false), exception: .illegalDataAddress),
        RequestCase(request: .writeCoils(address: 0, values: [false, false]), exception: .illegalDataAddress),
        // Values.
        RequestCase(request: .writeRegister(address: 0, value: 99), exception: .illegalDataValue),
        RequestCase(request: .writeRegister(address: 0, value: 60001), exception: .illegalDataValue),
        RequestCase(request: .writeCoil(address: 0, value: true), exception: .illegalDataValue),  // budget 0
    ]

    @Test(arguments: cases)
    func answers(_ test: RequestCase) {
        var controller = CopierController.fresh()
        let decision = controller.handle(test.request, now: ms(0))
        if let exception = test.exception {
            #expect(decision == .exception(exception.rawValue))
        } else {
            #expect(decision.isAnswer)
        }
    }

    @Test func refusedWritesChangeNothing() {
        var controller = CopierController.fresh()
        let before = controller.registerImage(now: ms(0))
        for request: ModbusRequest in [
            .writeRegister(address: 0, value: 99), .writeRegisters(address: 0, values: [99, 1, 0, 5]),
            .writeRegisters(address: 2, values: [5]), .writeCoil(address: 0, value: true),
        ] {
            #expect(controller.handle(request, now: ms(0)).exceptionCode != nil)
        }
        #expect(controller.registerImage(now: ms(0)) == before)
    }

    @Test func writesAreAnsweredWithTheirEffect() {
        var controller = CopierController.fresh()
        guard case let .answer(image) = controller.handle(.writeRegisters(address: 0, values: [500, 3, 0x0001, 0x0002, 0xCAFE, 0xF00D]), now: ms(0)) else {
            Issue.record("refused")
            return
        }
        #expect(image.holdingRegisters == [500, 3, 1, 2, 0xCAFE, 0xF00D])
        #expect(controller.pageBudget == 0x0001_0002)
        #expect(controller.sessionTag == 0xCAFE_F00D)
        guard case let .answer(unlocked) = controller.handle(.writeCoil(address: 0, value: true), now: ms(0)) else {
            Issue.record("refused")
            return
        }
        #expect(unlocked.coils == [true])
        #expect(unlocked.inputRegisters[8] == CopierState.ready.rawValue)
        #expect(unlocked.inputRegisters[15] == 500)
    }

    @Test func theRingIsReadInOneRequestFromOneSnapshot() throws {
        var controller = CopierController.fresh(pagesPerSecond: 1000)
        controller.unlock(budget: 100, at: ms(0))
        for _ in 0..<3 {
            _ = try controller.start(originals: 2, at: controller.now)
            controller.tick(now: controller.now + ms(5))
        }
        guard case let .answer(image) = controller.handle(.readInputRegisters(address: 100, count: 125), now: controller.now) else {
            Issue.record("refused")
            return
        }
        let slotOne = Array(image.inputRegisters[114..<128])
        #expect(try CopierJobRecord(registers: slotOne).sequence == 1)
        #expect(image.inputRegisters[100..<114].allSatisfy { $0 == 0 }, "slot 0 is empty until job 16")
    }
}
