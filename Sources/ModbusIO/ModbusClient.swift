import CModbus
import Glibc

/// A Modbus client (master) over TCP or RTU: the agent's side of the copier link.
///
/// Blocking calls with explicit timeouts; run it on a thread of its own, never on the Swift
/// concurrency pool. Writes are absolute values (a coil state, a register value) so a retry after
/// a timeout is harmless.
public final class ModbusClient {
    public let endpoint: ModbusEndpoint
    public let unitID: Int32
    public let responseTimeout: Duration
    private var context: ModbusContext?

    public init(endpoint: ModbusEndpoint, unitID: Int32 = 1, responseTimeout: Duration = .milliseconds(500)) {
        self.endpoint = endpoint
        self.unitID = unitID
        self.responseTimeout = responseTimeout
    }

    public var isConnected: Bool { context != nil }

    /// Opens the link. A failed connect leaves the client closed.
    public func connect() throws(ModbusError) {
        close()
        let context = try ModbusContext(endpoint: endpoint)
        try context.setTimeouts(response: responseTimeout, byte: responseTimeout)
        try context.check(modbus_set_slave(context.raw, unitID), "set unit id \(unitID)")
        try context.connect("connect to \(endpoint)")
        self.context = context
    }

    public func close() { context = nil }

    private func live(_ operation: String) throws(ModbusError) -> ModbusContext {
        guard let context else { throw ModbusError(operation: operation, errno: ENOTCONN) }
        return context
    }

    /// Runs one request; a link failure closes the client so the caller reconnects.
    private func run(_ operation: String, _ body: (OpaquePointer) -> Int32) throws(ModbusError) -> Int32 {
        let context = try live(operation)
        let result = body(context.raw)
        if result == -1 {
            let error = ModbusError.last(operation)
            if error.isLinkFailure || error.isTimeout, case .tcp = endpoint { close() }
            if error.isLinkFailure, case .rtu = endpoint { close() }
            throw error
        }
        return result
    }

    public func readCoils(address: Int, count: Int) throws(ModbusError) -> [Bool] {
        var bits = [UInt8](repeating: 0, count: count)
        _ = try run("read coils \(address)+\(count)") { modbus_read_bits($0, Int32(address), Int32(count), &bits) }
        return bits.map { $0 != 0 }
    }

    public func readHoldingRegisters(address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        var registers = [UInt16](repeating: 0, count: count)
        _ = try run("read holding registers \(address)+\(count)") {
            modbus_read_registers($0, Int32(address), Int32(count), &registers)
        }
        return registers
    }

    public func readInputRegisters(address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        var registers = [UInt16](repeating: 0, count: count)
        _ = try run("read input registers \(address)+\(count)") {
            modbus_read_input_registers($0, Int32(address), Int32(count), &registers)
        }
        return registers
    }

    public func writeCoil(address: Int, _ value: Bool) throws(ModbusError) {
        _ = try run("write coil \(address)=\(value ? 1 : 0)") { modbus_write_bit($0, Int32(address), value ? 1 : 0) }
    }

    public func writeRegister(address: Int, _ value: UInt16) throws(ModbusError) {
        _ = try run("write holding register \(address)=\(value)") { modbus_write_register($0, Int32(address), value) }
    }

    public func writeRegisters(address: Int, _ values: [UInt16]) throws(ModbusError) {
        _ = try run("write holding registers \(address)+\(values.count)") {
            modbus_write_registers($0, Int32(address), Int32(values.count), values)
        }
    }
}
