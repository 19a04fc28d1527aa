/// A moment as milliseconds since the Unix epoch (UTC). Protocol code never reads a clock:
/// callers pass the time in, so every decision can be tested with an injected clock.
///
/// Encoded as a big-endian i64; negative values (before 1970) are refused as invalid.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch &+ milliseconds)
    }

    public func adding(seconds: Int64) -> Timestamp { adding(milliseconds: seconds &* 1000) }

    /// Milliseconds from `other` to `self` (negative when `self` is earlier).
    public func milliseconds(since other: Timestamp) -> Int64 {
        millisecondsSinceEpoch &- other.millisecondsSinceEpoch
    }

    public var description: String { "\(millisecondsSinceEpoch)ms" }
}

extension Timestamp: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.i64(millisecondsSinceEpoch) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(from: &reader, field: "timestamp")
    }

    /// A timestamp read under its own field name (`issued at`, `sender time`, ...), so an error
    /// says which one was wrong. Every part reads its timestamps through this one reader.
    init(from reader: inout ByteReader, field: String) throws(WireError) {
        self.init(millisecondsSinceEpoch: try reader.i64(field))
        try requireEncodable(as: field)
    }

    /// Refuses a moment before 1970, which has no encoding: decoders apply it to what they read,
    /// constructors to values built in code, with the same error.
    func requireEncodable(as field: String) throws(WireError) {
        guard millisecondsSinceEpoch >= 0 else {
            throw .invalidValue(field: field, reason: "negative timestamp (\(millisecondsSinceEpoch))")
        }
    }
}
