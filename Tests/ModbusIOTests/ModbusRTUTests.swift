import Testing
import TestSupport
@testable import ModbusIO

/// Modbus RTU between a real libmodbus client and server over a pair of joined pseudo-terminals.
@Suite("Modbus RTU over a pty pair")
struct ModbusRTUTests {
    @Test func roundTripOverRTU() throws {
        let bridge = try PtyBridge()
        defer { bridge.stop() }
        let registers = ModbusLoopbackTests.Registers()
        let server = ModbusServer(endpoint: .rtu(path: bridge.firstPath)) { registers.handle($0) }
        try server.start()
        defer { server.stop() }
        let client = ModbusClient(endpoint: .rtu(path: bridge.secondPath), responseTimeout: .milliseconds(500))
        try client.connect()
        defer { client.close() }
        try client.writeCoil(address: 1, true)
        #expect(try client.readCoils(address: 0, count: 2) == [false, true])
        try client.writeRegisters(address: 2, [7, 9])
        #expect(try client.readHoldingRegisters(address: 2, count: 2) == [7, 9])
        let refused = #expect(throws: ModbusError.self) { try client.writeRegister(address: 0, 101) }
        #expect(refused?.exceptionCode == 3)
    }
}
