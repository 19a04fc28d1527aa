import Foundation
import Synchronization
import Testing
@testable import ModbusIO

/// A real libmodbus client against a real libmodbus server on 127.0.0.1.
@Suite("Modbus over loopback TCP", .serialized)
struct ModbusLoopbackTests {
    final class Registers: Sendable {
        let image = Mutex(ModbusRegisterImage(coils: 4, holdingRegisters: 8, inputRegisters: 8))
        let mode = Mutex<ModbusDecision?>(nil)

        func handle(_ request: ModbusRequest) -> ModbusDecision {
            if let forced = mode.withLock({ $0 }) { return forced }
            return image.withLock { image in
                switch request {
                case let .writeCoil(address, value) where address < image.coils.count:
                    image.coils[address] = value
                case let .writeRegister(address, value) where address < image.holdingRegisters.count:
                    if address == 0 && value > 100 { return .exception(3) }
                    image.holdingRegisters[address] = value
                case let .writeRegisters(address, values) where address + values.count <= image.holdingRegisters.count:
                    for (offset, value) in values.enumerated() { image.holdingRegisters[address + offset] = value }
                case let .readHoldingRegisters(address, count) where address + count <= image.holdingRegisters.count,
                     let .readInputRegisters(address, count) where address + count <= image.inputRegisters.count,
                     let .readCoils(address, count) where address + count <= image.coils.count:
                    break
                default:
                    return .exception(2)
                }
                return .answer(image)
            }
        }
    }

    func withServer(_ body: (ModbusClient, Registers) throws -> Void) throws {
        let registers = Registers()
        registers.image.withLock { $0.inputRegisters = [10, 11, 12, 13, 14, 15, 16, 17] }
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0)) { registers.handle($0) }
        try server.start()
        defer { server.stop() }
        let port = try #require(server.boundPort)
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), responseTimeout: .milliseconds(200))
        try client.connect()
        try body(client, registers)
    }

    @Test func writesAndReadsBack() throws {
        try withServer { client, _ in
            try client.writeCoil(address: 0, true)
            #expect(try client.readCoils(address: 0, count: 2) == [true, false])
            try client.writeRegisters(address: 2, [0, 5])
            #expect(try client.readHoldingRegisters(address: 2, count: 2) == [0, 5])
            #expect(try client.readInputRegisters(address: 4, count: 2) == [14, 15])
        }
    }

    @Test func exceptionsComeBackAsTheirCode() throws {
        try withServer { client, _ in
            let value = #expect(throws: ModbusError.self) { try client.writeRegister(address: 0, 500) }
            #expect(value?.exceptionCode == 3)
            let address = #expect(throws: ModbusError.self) { try client.readHoldingRegisters(address: 7, count: 4) }
            #expect(address?.exceptionCode == 2, "\(String(describing: address))")
        }
    }

    @Test func silenceIsATimeoutAndDropIsALinkFailure() throws {
        try withServer { client, registers in
            registers.mode.withLock { $0 = .silence }
            let silent = #expect(throws: ModbusError.self) { try client.readCoils(address: 0, count: 1) }
            #expect(silent?.isTimeout == true)
            #expect(!client.isConnected)  // a TCP timeout closes so the next call reconnects cleanly
            registers.mode.withLock { $0 = nil }
            try client.connect()
            registers.mode.withLock { $0 = .drop }
            #expect(throws: ModbusError.self) { try client.readCoils(address: 0, count: 1) }
            registers.mode.withLock { $0 = nil }
            try client.connect()
            #expect(try client.readCoils(address: 0, count: 1) == [false])
        }
    }

    @Test func aSlowServerIsStillAnsweredWithinTheTimeout() throws {
        try withServer { (client: ModbusClient, registers: Registers) throws in
            let image = registers.image.withLock { $0 }
            registers.mode.withLock { $0 = .delay(.milliseconds(50), then: .init(.answer(image))) }
            let values = try client.readInputRegisters(address: 0, count: 1)
            #expect(values == [10])
        }
    }

    @Test func connectingToNothingNamesTheEndpoint() {
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: 1), responseTimeout: .milliseconds(100))
        let error = #expect(throws: ModbusError.self) { try client.connect() }
        #expect(error?.operation == "connect to tcp 127.0.0.1:1")
    }

    @Test func endpointsParse() throws {
        #expect(try ModbusEndpoint.parseTCP("127.0.0.1:1502") == .tcp(host: "127.0.0.1", port: 1502))
        #expect(throws: ModbusEndpointError.missingPort("localhost")) { try ModbusEndpoint.parseTCP("localhost") }
        #expect(throws: ModbusEndpointError.badPort("h:70000")) { try ModbusEndpoint.parseTCP("h:70000") }
    }
}
