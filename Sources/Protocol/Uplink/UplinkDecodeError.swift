/// Why an uplink frame was refused. The connection it came from must be closed (after sending an
/// `error` frame when possible): once framing is lost, nothing after it can be trusted, so a
/// decoder that threw keeps throwing the same error.
public enum UplinkDecodeError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The first two bytes of a frame are not "IM" (0x49 0x4D); carries the bytes found.
    case badMagic([UInt8])
    /// The version byte is not one this side speaks.
    case unsupportedVersion(UInt8)
    /// The message type byte is not in the type table.
    case unknownMessageType(UInt8)
    /// The flags byte has a reserved bit (any but bit 0) set; carries the whole byte.
    case reservedFlags(UInt8)
    /// The response flag is set but the request id is 0, which names no request.
    case responseWithoutRequestID
    /// The header announced a frame of `size` bytes (header + payload), over `maximum`.
    case frameTooLarge(size: UInt64, maximum: Int)
    /// The header was fine but the payload is not a canonical encoding of its message type.
    case payload(UplinkMessageType, WireError)
    /// A single-frame decode ended inside the frame: `needed` bytes in all, `available` given.
    case incompleteFrame(needed: Int, available: Int)
    /// A single-frame decode found `count` bytes after the frame.
    case bytesAfterFrame(count: Int)

    public var description: String {
        switch self {
        case let .badMagic(bytes):
            return "bad frame magic \(Self.show(bytes)), expected 0x49 0x4d (\"IM\")"
        case let .unsupportedVersion(version):
            return "unsupported uplink protocol version \(version) (this side speaks \(ImprimaturVersion.protocolVersion))"
        case let .unknownMessageType(type):
            return "unknown message type 0x\(Hex.encode([type])) (\(type))"
        case let .reservedFlags(flags):
            return "reserved flag bits set: flags byte is 0x\(Hex.encode([flags])), only bit 0 (0x01) is defined"
        case .responseWithoutRequestID:
            return "frame is marked as a response but its request id is 0"
        case let .frameTooLarge(size, maximum):
            return "frame too large: the header announces \(size) bytes (header and payload), the maximum is \(maximum)"
        case let .payload(type, error):
            return "invalid \(type) payload: \(error)"
        case let .incompleteFrame(needed, available):
            return "incomplete frame: \(needed) byte(s) needed, \(available) given"
        case let .bytesAfterFrame(count):
            return "\(count) byte(s) after the end of the frame"
        }
    }

    /// `0x47 0x45 ("GE")`: hex, plus the text when printable, since a stray HTTP or TLS peer is
    /// the usual cause and its first bytes say which.
    private static func show(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { "0x" + Hex.encode([$0]) }.joined(separator: " ")
        guard bytes.allSatisfy({ (0x20...0x7e).contains($0) }) else { return hex }
        return hex + " (\"" + String(decoding: bytes, as: UTF8.self) + "\")"
    }
}
