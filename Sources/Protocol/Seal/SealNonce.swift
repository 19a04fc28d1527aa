/// A fresh 16-byte value the seal puts in its device info; the agent must echo it in its next
/// unlock, so a recorded unlock cannot be replayed to the seal. Encoded as 16 raw bytes.
public struct SealNonce: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        self.bytes = try checkedSixteen(bytes, field: "nonce")
    }

    /// A nonce from `generator` (the seal passes a cryptographic one; tests a seeded one).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> SealNonce {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for _ in 0..<byteCount { bytes.append(UInt8.random(in: 0...UInt8.max, using: &generator)) }
        return SealNonce(unchecked: bytes)
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public var description: String { Hex.encode(bytes) }
}

private func checkedSixteen(_ bytes: [UInt8], field: String) throws(WireError) -> [UInt8] {
    guard bytes.count == 16 else { throw .invalidValue(field: field, reason: "must be 16 bytes, got \(bytes.count)") }
    return bytes
}

extension SealNonce: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("nonce", count: Self.byteCount)
    }
}
