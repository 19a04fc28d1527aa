/// A fresh 16-byte value the seal puts in its device info; the agent must echo it in its next
/// unlock, so a recorded unlock cannot be replayed to the seal. Encoded as 16 raw bytes.
public struct SealNonce: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        self.bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "nonce")
    }

    /// A nonce from `generator` (the seal passes a cryptographic one; tests a seeded one).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> SealNonce {
        SealNonce(unchecked: FixedBytes.random(count: byteCount, using: &generator))
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public var description: String { Hex.encode(bytes) }
}

extension SealNonce: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("nonce", count: Self.byteCount)
    }
}
