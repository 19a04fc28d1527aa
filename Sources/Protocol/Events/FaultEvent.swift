/// A fault the agent saw in itself or a device it drives (a Modbus timeout, a seal that vanished
/// from the bus, a camera that failed). Faults are logged in the chain because they explain
/// why the hardware locked (SPEC A1) and why a job ended early.
public struct FaultEvent: Sendable {
    public static let componentLimit = 64
    public static let messageLimit = 1024

    /// Which part failed, for example `modbus` or `seal-usb`: UTF-8, 1 to 64 bytes.
    public let component: String
    /// A component-defined code (an errno, a libmodbus or libusb code, ...).
    public let code: UInt32
    /// What a person reads: UTF-8, 0 to 1024 bytes.
    public let message: String

    public init(component: String, code: UInt32, message: String) throws(WireError) {
        try FieldRules.checkText(component, "component", minimum: 1, limit: Self.componentLimit)
        try FieldRules.checkText(message, "message", minimum: 0, limit: Self.messageLimit)
        self.component = component
        self.code = code
        self.message = message
    }
}

// Compared by bytes, for the reason given on `SealLocation`.
extension FaultEvent: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.component.utf8.elementsEqual(rhs.component.utf8) && lhs.code == rhs.code
            && lhs.message.utf8.elementsEqual(rhs.message.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(component.utf8))
        hasher.combine(code)
        hasher.combine(Array(message.utf8))
    }
}

extension FaultEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.string(component, .u8)
        writer.u32(code)
        writer.string(message, .u16)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            component: try FieldRules.readText(&reader, "component", .u8, minimum: 1, limit: Self.componentLimit),
            code: try reader.u32("fault code"),
            message: try FieldRules.readText(&reader, "message", .u16, minimum: 0, limit: Self.messageLimit)
        )
    }
}
