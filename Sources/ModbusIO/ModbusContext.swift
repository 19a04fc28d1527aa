import CModbus
import Glibc

/// Owns one libmodbus context. libmodbus contexts are not thread-safe, so one context belongs to
/// one task or thread at a time; the type is deliberately not Sendable.
final class ModbusContext {
    let raw: OpaquePointer

    init(endpoint: ModbusEndpoint) throws(ModbusError) {
        let created: OpaquePointer?
        switch endpoint {
        case let .tcp(host, port):
            created = modbus_new_tcp(host, Int32(port))
        case let .rtu(path, baud, parity, dataBits, stopBits):
            created = modbus_new_rtu(path, Int32(baud), CChar(parity.rawValue.asciiValue ?? UInt8(ascii: "N")), Int32(dataBits), Int32(stopBits))
        }
        guard let created else { throw ModbusError.last("create context for \(endpoint)") }
        raw = created
        // Recovery off: libmodbus's LINK mode retries forever (libmodbus #39); callers reconnect
        // themselves with a bounded backoff.
        _ = modbus_set_error_recovery(raw, MODBUS_ERROR_RECOVERY_NONE)
    }

    deinit {
        modbus_close(raw)
        modbus_free(raw)
    }

    func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(ModbusError) {
        if result == -1 { throw ModbusError.last(operation()) }
    }

    /// modbus_connect with its descriptor kept where libmodbus's select can take it
    /// (SelectableDescriptors): a TCP client's socket, an RTU serial line.
    func connect(_ operation: @autoclosure () -> String) throws(ModbusError) {
        try SelectableDescriptors.opening { () throws(ModbusError) in try check(modbus_connect(raw), operation()) }
        _ = modbus_set_socket(raw, try SelectableDescriptors.selectable(modbus_get_socket(raw), operation()))
    }

    func setTimeouts(response: Duration, byte: Duration) throws(ModbusError) {
        let (rs, ru) = Self.split(response)
        let (bs, bu) = Self.split(byte)
        try check(modbus_set_response_timeout(raw, rs, ru), "set response timeout")
        try check(modbus_set_byte_timeout(raw, bs, bu), "set byte timeout")
    }

    static func split(_ duration: Duration) -> (UInt32, UInt32) {
        let (seconds, attoseconds) = duration.components
        return (UInt32(clamping: seconds), UInt32(clamping: attoseconds / 1_000_000_000_000))
    }
}
