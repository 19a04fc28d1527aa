/// Why a command (or a frame) was refused: the code in an error frame.
public enum SealErrorCode: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// A frame's CRC did not match; the receiver no longer trusts the framing.
    case badCRC = 0x0001
    /// Bad magic, or a length over the maximum.
    case badFrame = 0x0002
    /// A frame type the receiver does not accept.
    case unknownCommand = 0x0003
    /// The payload did not decode (the text names the field).
    case invalidPayload = 0x0004
    /// The command needs an open session and the seal is locked.
    case locked = 0x0005
    /// The grant token's signature, seal or validity period is wrong.
    case notAuthorised = 0x0006
    /// The echoed nonce is not the seal's current one, or the grant was already used.
    case replayed = 0x0007
    /// The grant allows no further uses.
    case exhausted = 0x0008
    /// The seal is busy (a session is open during a firmware transfer, or the reverse).
    case busy = 0x0009
    /// The seal is not in its monitored position, so it will not unlock.
    case notSeated = 0x000A
    /// A firmware chunk does not continue the transfer (wrong image id or offset, too large).
    case firmwareRejected = 0x000B
    /// Anything else that went wrong inside the seal.
    case internalError = 0x00FF

    public var description: String {
        switch self {
        case .badCRC: return "bad CRC"
        case .badFrame: return "bad frame"
        case .unknownCommand: return "unknown command"
        case .invalidPayload: return "invalid payload"
        case .locked: return "locked"
        case .notAuthorised: return "not authorised"
        case .replayed: return "replayed"
        case .exhausted: return "exhausted"
        case .busy: return "busy"
        case .notSeated: return "not seated"
        case .firmwareRejected: return "firmware rejected"
        case .internalError: return "internal error"
        }
    }
}

extension SealErrorCode: WireEnum {
    public static let wireField = "error code"
}

/// An error frame's payload: a code for programs and a short text for logs.
public struct SealErrorReport: Hashable, Sendable, CustomStringConvertible {
    public static let maximumTextSize = 255

    public let code: SealErrorCode
    public let text: String

    public init(code: SealErrorCode, text: String) throws(WireError) {
        try FieldRules.checkText(text, "error text", limit: Self.maximumTextSize)
        self.code = code
        self.text = text
    }

    public var description: String { text.isEmpty ? "\(code)" : "\(code): \(text)" }
}

extension SealErrorReport: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(code)
        writer.string(text, .u8)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        code = try reader.decode()
        text = try reader.string("error text", .u8, limit: Self.maximumTextSize)
    }
}
