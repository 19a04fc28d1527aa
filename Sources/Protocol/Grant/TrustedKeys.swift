/// A server public key the agent trusts, and until when it may sign.
public struct TrustedKey: Hashable, Sendable {
    public let publicKey: PublicKey
    /// Derived once here, since every verification looks keys up by id.
    public let keyID: KeyID
    /// After `keys rotate` the old key gets the rotation time here: it still verifies what it
    /// signed before then (until that expires) and nothing that claims to be issued later.
    /// Nil for the current key.
    public let validUntil: Timestamp?

    public init(_ publicKey: PublicKey, validUntil: Timestamp? = nil) {
        self.publicKey = publicKey
        keyID = publicKey.keyID
        self.validUntil = validUntil
    }

    /// True when content issued at `issuedAt` is within this key's signing life.
    public func mayHaveSigned(at issuedAt: Timestamp) -> Bool {
        guard let validUntil else { return true }
        return issuedAt <= validUntil
    }
}

/// The server keys an agent accepts signatures from, by key id.
public struct TrustedKeys: Hashable, Sendable {
    private var keys: [KeyID: TrustedKey]

    public init(_ keys: [TrustedKey] = []) {
        self.keys = [:]
        for key in keys { insert(key) }
    }

    /// Adds `key`, replacing any key with the same id (so a key's valid-until can be updated).
    public mutating func insert(_ key: TrustedKey) { keys[key.keyID] = key }

    public mutating func remove(_ keyID: KeyID) { keys[keyID] = nil }

    public subscript(keyID: KeyID) -> TrustedKey? { keys[keyID] }

    /// Every key, ordered by key id for stable output.
    public var all: [TrustedKey] { keys.values.sorted { $0.keyID < $1.keyID } }

    /// Why a token's signature is not acceptable, if it is not. The order is key, then signature,
    /// then the key's valid-until: `issuedAt` is only read once the signature has covered it.
    func authenticate<Content>(_ token: SignedToken<Content>) -> SignatureProblem? {
        let keyID = token.content.keyID
        guard let key = keys[keyID] else { return .unknownKey(keyID) }
        guard token.isSignatureValid(for: key.publicKey) else { return .badSignature(keyID) }
        if let validUntil = key.validUntil, !key.mayHaveSigned(at: token.content.issuedAt) {
            return .keyExpired(keyID, validUntil: validUntil, issuedAt: token.content.issuedAt)
        }
        return nil
    }
}

/// The signature checks shared by grants, limit grants and revocation lists.
enum SignatureProblem: Hashable, Sendable {
    case unknownKey(KeyID)
    case badSignature(KeyID)
    case keyExpired(KeyID, validUntil: Timestamp, issuedAt: Timestamp)
}
