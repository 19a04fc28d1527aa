import CModbus
import Glibc

/// A libmodbus failure, named by the operation that failed and the errno libmodbus left.
/// This is the only place libmodbus's -1/errno convention is turned into Swift errors.
public struct ModbusError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let errno: Int32
    public let message: String

    public init(operation: String, errno code: Int32) {
        self.operation = operation
        errno = code
        message = String(cString: modbus_strerror(code))
    }

    /// The Modbus exception code when the peer answered with an exception, else nil.
    public var exceptionCode: UInt8? {
        let base = Int32(MODBUS_ENOBASE)
        let code = errno - base
        return (1...11).contains(code) ? UInt8(code) : nil
    }

    /// True when the peer did not answer in time.
    public var isTimeout: Bool { errno == ETIMEDOUT }

    /// True when the link itself failed (reset, refused, closed, broken pipe): reconnect.
    public var isLinkFailure: Bool {
        [ECONNRESET, ECONNREFUSED, EPIPE, ENOTCONN, EBADF, ECONNABORTED, EIO].contains(errno)
    }

    public var description: String { "\(operation) failed: \(message) (errno \(errno))" }

    /// Captures the current errno for `operation`.
    static func last(_ operation: String) -> ModbusError { ModbusError(operation: operation, errno: Glibc.errno) }
}
