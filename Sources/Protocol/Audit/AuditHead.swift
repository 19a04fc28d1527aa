/// The head of the server's audit chain (SPEC G2) at one moment, as the server signs it for
/// agents and auditors to keep outside the server (issue 14): a rewrite of the whole database
/// can recompute a consistent chain, but not the hash an anchor kept elsewhere commits to.
///
/// Canonical encoding (57 bytes): `u8` format version 1, `u64` sequence (of the newest entry,
/// 1 or more), hash (32, that entry's chain hash), signed at (timestamp), key id (8).
/// Signed as `"imprimatur-audit-head-v1" || encoding` (`SignedAuditHead`), so a signature
/// made for a grant, a limit grant or a revocation list can never pass for one.
public struct AuditHead: Hashable, Sendable {
    public static let signatureLabel = "imprimatur-audit-head-v1"
    public static let formatVersion: UInt8 = 1
    public static let byteCount = 1 + 8 + Hash32.byteCount + 8 + KeyID.byteCount

    /// The newest audit entry's number when it was signed.
    public let sequence: UInt64
    /// `AuditChain.hash` of entry `sequence`, which commits to every entry before it.
    public let hash: Hash32
    public let signedAt: Timestamp
    /// The server key that signs it.
    public let keyID: KeyID

    /// Refuses sequence 0 (an empty chain has nothing to anchor) and a time before 1970.
    public init(sequence: UInt64, hash: Hash32, signedAt: Timestamp, keyID: KeyID) throws(WireError) {
        guard sequence > 0 else { throw .invalidValue(field: "audit head sequence", reason: "must be 1 or more") }
        try signedAt.requireEncodable(as: "signed at")
        self.sequence = sequence
        self.hash = hash
        self.signedAt = signedAt
        self.keyID = keyID
    }
}

extension AuditHead: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u8(Self.formatVersion)
        writer.u64(sequence)
        writer.encode(hash)
        writer.encode(signedAt)
        writer.encode(keyID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let version = try reader.u8("audit head format version")
        guard version == Self.formatVersion else { throw .unknownTag(field: "audit head format version", tag: UInt64(version)) }
        let sequence = try reader.u64("audit head sequence")
        let hash: Hash32 = try reader.decode()
        let signedAt = try Timestamp(from: &reader, field: "signed at")
        try self.init(sequence: sequence, hash: hash, signedAt: signedAt, keyID: try reader.decode())
    }
}

extension AuditHead: SignedTokenContent {
    public static var tokenField: String { "audit head" }
    public static var lengthPrefix: LengthPrefix { .u16 }
    public static var maximumContentLength: Int { byteCount }
    public var issuedAt: Timestamp { signedAt }
}

/// An audit head with the server's Ed25519 signature. Token encoding: `bytes<u16>` of the
/// head's encoding, then the 64-byte signature (123 bytes in all).
public typealias SignedAuditHead = SignedToken<AuditHead>

/// Why a signed audit head is not acceptable.
public enum AuditHeadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a signed audit head.
    case malformed(WireError)
    /// Signed by a key the checker does not know as the server's.
    case unknownKey(KeyID)
    /// The signature does not verify under the key the head names: a field was changed.
    case badSignature(KeyID)
    /// Claims to be signed after the key retired.
    case keyExpired(KeyID, validUntil: Timestamp, signedAt: Timestamp)

    public var description: String {
        switch self {
        case let .malformed(error): return "not a signed audit head: \(error)"
        case let .unknownKey(keyID): return "signed by key \(keyID), which is not a key of this server"
        case let .badSignature(keyID): return "the signature does not verify under key \(keyID)"
        case let .keyExpired(keyID, validUntil, signedAt):
            return "key \(keyID) retired at \(validUntil) but the head claims to be signed at \(signedAt)"
        }
    }
}

extension SignedToken where Content == AuditHead {
    public var head: AuditHead { content }

    /// Decodes a token (exactly; trailing bytes are refused).
    public static func decode(_ bytes: [UInt8]) throws(AuditHeadError) -> SignedAuditHead {
        do { return try SignedAuditHead(wireBytes: bytes) } catch { throw .malformed(error) }
    }

    /// The head, once its signature verifies under one of `keys` (within that key's life).
    @discardableResult
    public func verify(trustedKeys keys: TrustedKeys) throws(AuditHeadError) -> AuditHead {
        switch keys.authenticate(self) {
        case nil: return content
        case let .unknownKey(keyID): throw .unknownKey(keyID)
        case let .badSignature(keyID): throw .badSignature(keyID)
        case let .keyExpired(keyID, validUntil, issuedAt): throw .keyExpired(keyID, validUntil: validUntil, signedAt: issuedAt)
        }
    }

    /// The head, once its signature verifies under `publicKey`.
    @discardableResult
    public func verify(publicKey: PublicKey) throws(AuditHeadError) -> AuditHead {
        try verify(trustedKeys: TrustedKeys([TrustedKey(publicKey)]))
    }
}
