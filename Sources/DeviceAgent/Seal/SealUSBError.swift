import CLibUSB

/// A libusb failure, named by the operation that failed and libusb's own error name.
public struct SealUSBError: Error, Hashable, Sendable, CustomStringConvertible {
    public let operation: String
    /// libusb's return code (`LIBUSB_ERROR_*`), 0 when the failure is not libusb's.
    public let code: Int32
    public let detail: String

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        detail = String(cString: libusb_error_name(code))
    }

    public init(_ operation: String, detail: String) {
        self.operation = operation
        code = 0
        self.detail = detail
    }

    /// The seal is gone (unplugged): LIBUSB_ERROR_NO_DEVICE, or a device that vanished from
    /// the bus between enumeration and opening.
    public var isNoDevice: Bool { code == LIBUSB_ERROR_NO_DEVICE.rawValue }
    public var isTimeout: Bool { code == LIBUSB_ERROR_TIMEOUT.rawValue }

    public var description: String { "USB \(operation) failed: \(detail)" }
}
