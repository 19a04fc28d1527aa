/// Why a decoder in Protocol refused its input. Every case names the field it was reading,
/// so a bad frame, grant or event is reported as "what was wrong, where", never as a crash.
public enum WireError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The input ended inside `field`: `needed` more bytes were required, `available` were left.
    case truncated(field: String, needed: Int, available: Int)
    /// A length prefix for `field` announced `length` units, over the field's `limit`.
    case tooLong(field: String, length: Int, limit: Int)
    /// `field` is well-formed bytes but not an allowed value (a bool of 2, an empty id, ...).
    case invalidValue(field: String, reason: String)
    /// An enum tag for `field` that this protocol version does not define.
    case unknownTag(field: String, tag: UInt64)
    /// `field` is a string whose bytes are not valid UTF-8.
    case invalidUTF8(field: String)
    /// The value was complete but `count` bytes followed it.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case let .truncated(field, needed, available):
            return "truncated \(field): needed \(needed) more byte(s), \(available) left"
        case let .tooLong(field, length, limit):
            return "\(field) too long: \(length) exceeds the limit of \(limit)"
        case let .invalidValue(field, reason):
            return "invalid \(field): \(reason)"
        case let .unknownTag(field, tag):
            return "unknown \(field) tag \(tag)"
        case let .invalidUTF8(field):
            return "\(field) is not valid UTF-8"
        case let .trailingBytes(count):
            return "\(count) trailing byte(s) after a complete value"
        }
    }
}
