/// The 16-byte id of the grant an event happened under, carried as raw bytes.
///
/// Events only record which grant was used; they never interpret it, so this is a plain
/// 16-byte value rather than the grant format's own type (which lives with the grants).
public struct EventGrantID: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidValue(field: "grant id", reason: "must be 16 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    public var description: String { Hex.encode(bytes) }
}

extension EventGrantID: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("grant id", count: Self.byteCount)
    }
}
