import Crypto
import Foundation

/// A SHA-256 digest: event hashes, Merkle nodes, blob ids, bill hashes. Encoded as 32 raw bytes.
public struct Hash32: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    /// Wraps exactly 32 bytes.
    public init(bytes: [UInt8]) throws(WireError) {
        self.bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "hash")
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The all-zero hash: the "previous hash" of the first event in a chain.
    public static let zero = Hash32(unchecked: [UInt8](repeating: 0, count: 32))

    /// SHA-256 of `data`.
    public static func sha256<D: DataProtocol>(_ data: D) -> Hash32 {
        Hash32(unchecked: Array(SHA256.hash(data: data)))
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

extension Hash32: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(from: &reader, field: "hash")
    }

    /// A hash read under its own field name (`blob hash`, `tree root`, ...), so an error says
    /// which hash was cut short. Every part reads its hashes through this one reader.
    init(from reader: inout ByteReader, field: String) throws(WireError) {
        bytes = try reader.raw(field, count: Self.byteCount)
    }
}
