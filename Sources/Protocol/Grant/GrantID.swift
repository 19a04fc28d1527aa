/// Names one grant, limit grant or revoked grant: 128 random bits, 16 raw bytes on the wire.
/// Events (the grant a session, job or stamp ran under) and seal frames (the grant a seal
/// session runs under) carry the same id with the same 16 bytes.
///
/// Held as two integers rather than a byte array so that sets of used and revoked ids (which
/// the agent consults on every unlock) hash and compare without heap allocations.
public struct GrantID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 16

    /// The first 8 bytes, big-endian.
    public let high: UInt64
    /// The last 8 bytes, big-endian.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Wraps exactly 16 bytes.
    public init(bytes: [UInt8]) throws(WireError) {
        let bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "grant id")
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A fresh id from `generator`; the server passes a cryptographically secure one.
    public static func random(using generator: inout some RandomNumberGenerator) -> GrantID {
        GrantID(high: generator.next(), low: generator.next())
    }

    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: Self.byteCount)
        encode(to: &writer)
        return writer.bytes
    }

    /// 32 lower-case hex digits.
    public var description: String { Hex.encode(bytes) }

    /// Byte-wise order, which is the order of revocation list entries on the wire.
    public static func < (lhs: GrantID, rhs: GrantID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension GrantID: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(high)
        writer.u64(low)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        // One 16-byte field, so a short id is reported like any other fixed-size field (the
        // whole id missing bytes), not as a short second half.
        guard reader.remaining >= Self.byteCount else {
            throw .truncated(field: "grant id", needed: Self.byteCount - reader.remaining, available: reader.remaining)
        }
        high = try reader.u64("grant id")
        low = try reader.u64("grant id")
    }
}
