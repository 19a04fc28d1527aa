import Protocol

/// One of the server's Ed25519 grant-signing keys, with its life: created, and retired (by
/// `keys rotate`) or still current.
public struct ServerSigningKey: Sendable {
    public let signingKey: SigningKey
    public let created: Timestamp
    /// When a newer key replaced it; nil for the current key. It signs nothing after this.
    public let retired: Timestamp?

    public init(signingKey: SigningKey, created: Timestamp, retired: Timestamp? = nil) {
        self.signingKey = signingKey
        self.created = created
        self.retired = retired
    }

    public var publicKey: PublicKey { signingKey.publicKey }
    public var keyID: KeyID { signingKey.keyID }

    func retiring(at moment: Timestamp) -> ServerSigningKey {
        ServerSigningKey(signingKey: signingKey, created: created, retired: moment)
    }
}

/// A public key agents are told about (over the uplink, and in the enrolment answer).
public struct PublishedServerKey: Hashable, Sendable {
    public let publicKey: PublicKey
    public var keyID: KeyID { publicKey.keyID }
    /// The signing life: grants issued after this are refused (`TrustedKey.validUntil`); nil for
    /// the current key. This is the rotation time (docs/grants.md, "Key rotation").
    public let validUntil: Timestamp?
    /// Until when the server keeps publishing it: its retirement plus the longest grant
    /// lifetime, after which nothing it signed can still be valid. Nil for the current key.
    public let publishedUntil: Timestamp?

    public var trustedKey: TrustedKey { TrustedKey(publicKey, validUntil: validUntil) }
}

/// All the server's keys: exactly one current key and any number of retired ones.
public struct ServerKeySet: Sendable {
    /// Oldest first.
    public let keys: [ServerSigningKey]

    /// Refuses a set without exactly one current key.
    public init(keys: [ServerSigningKey]) throws(KeyStoreError) {
        let current = keys.filter { $0.retired == nil }
        guard current.count == 1 else { throw .noSingleCurrentKey(count: current.count) }
        self.keys = keys.sorted { ($0.created, $0.keyID) < ($1.created, $1.keyID) }
    }

    /// The key that signs new grants.
    public var current: ServerSigningKey {
        // The initializer guarantees one.
        keys.first { $0.retired == nil }!
    }

    public subscript(keyID: KeyID) -> ServerSigningKey? { keys.first { $0.keyID == keyID } }

    /// The keys agents must know at `now`: the current key, and each retired key until nothing
    /// it signed can still be valid (retired + `maximumGrantLifetime` ms). Sorted by key id.
    public func published(at now: Timestamp, maximumGrantLifetime: Int64) -> [PublishedServerKey] {
        keys.compactMap { key -> PublishedServerKey? in
            guard let retired = key.retired else {
                return PublishedServerKey(publicKey: key.publicKey, validUntil: nil, publishedUntil: nil)
            }
            let until = retired.adding(milliseconds: maximumGrantLifetime)
            guard now < until else { return nil }
            return PublishedServerKey(publicKey: key.publicKey, validUntil: retired, publishedUntil: until)
        }
        .sorted { $0.keyID < $1.keyID }
    }

    /// The published keys as an agent's `TrustedKeys`.
    public func trustedKeys(at now: Timestamp, maximumGrantLifetime: Int64) -> TrustedKeys {
        TrustedKeys(published(at: now, maximumGrantLifetime: maximumGrantLifetime).map(\.trustedKey))
    }

    /// The published keys as the uplink's `serverKeys` message. The wire has no "no limit"
    /// value, so the current key's valid-until is the largest timestamp.
    public func uplinkServerKeys(at now: Timestamp, maximumGrantLifetime: Int64) throws(WireError) -> UplinkMessage.ServerKeys {
        let keys = published(at: now, maximumGrantLifetime: maximumGrantLifetime).map {
            UplinkMessage.ServerKey(publicKey: $0.publicKey, validUntil: $0.validUntil ?? Timestamp(millisecondsSinceEpoch: .max))
        }
        // Only the newest 16 fit the message; older retired keys drop out first.
        return try UplinkMessage.ServerKeys(keys: Array(keys.sorted { $0.validUntil > $1.validUntil }.prefix(16)))
    }
}
