import Crypto
import Foundation

/// An Ed25519 public key (RFC 8032), 32 raw bytes on the wire.
public struct PublicKey: Hashable, Sendable {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count == Self.byteCount,
              (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
        else {
            throw .invalidValue(field: "public key", reason: "not a 32-byte Ed25519 public key")
        }
        self.bytes = bytes
    }

    /// The key id that names this key in grants and checkpoints: the first 8 bytes of
    /// SHA-256(public key), so it is derived, never assigned, and cannot disagree with the key.
    public var keyID: KeyID { KeyID(publicKeyBytes: bytes) }

    /// True when `signature` is a valid Ed25519 signature of `message` by this key.
    public func isValidSignature<D: DataProtocol>(_ signature: Signature, for message: D) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else { return false }
        return key.isValidSignature(signature.bytes, for: message)
    }
}

extension PublicKey: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(bytes: try reader.raw("public key", count: Self.byteCount))
    }
}

/// An Ed25519 signature, 64 raw bytes on the wire.
public struct Signature: Hashable, Sendable {
    public static let byteCount = 64
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        self.bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "signature")
    }
}

extension Signature: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("signature", count: Self.byteCount)
    }
}

/// Names a public key: 8 bytes, the prefix of SHA-256 over the raw public key.
public struct KeyID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 8
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(WireError) {
        self.bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "key id")
    }

    init(publicKeyBytes: [UInt8]) {
        bytes = Array(SHA256.hash(data: publicKeyBytes).prefix(Self.byteCount))
    }

    public var description: String { Hex.encode(bytes) }

    /// Byte-wise order: the order of every list of key ids or keys on a wire, and of
    /// `TrustedKeys.all`.
    public static func < (lhs: KeyID, rhs: KeyID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension KeyID: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("key id", count: Self.byteCount)
    }
}

/// An Ed25519 private key that signs grants (the server's), checkpoints and hello challenges
/// (a device's), or firmware images (the vendor's). Kept out of every wire format.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// A fresh random key.
    public init() { key = Curve25519.Signing.PrivateKey() }

    /// A key from its 32-byte seed (RFC 8032's "private key").
    public init(seed: [UInt8]) throws(WireError) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .invalidValue(field: "private key", reason: "must be a 32-byte Ed25519 seed")
        }
        self.key = key
    }

    /// The 32-byte seed, for storing the key in a 0600 file.
    public var seed: [UInt8] { Array(key.rawRepresentation) }

    public var publicKey: PublicKey {
        // A key swift-crypto produced is always a valid public key.
        try! PublicKey(bytes: Array(key.publicKey.rawRepresentation))
    }

    public var keyID: KeyID { publicKey.keyID }

    public func sign<D: DataProtocol>(_ message: D) -> Signature {
        // Ed25519 signing cannot fail for a valid key; swift-crypto's throws is for other curves.
        try! Signature(bytes: Array(key.signature(for: message)))
    }
}
