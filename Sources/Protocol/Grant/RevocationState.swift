/// The revocation list an agent currently honours. Pure: the agent persists `current` and
/// feeds newer lists through `apply`, which keeps the old list on any refusal.
public struct RevocationState: Hashable, Sendable {
    /// The newest accepted list; nil until the first one arrives (then nothing is revoked).
    public private(set) var current: SignedRevocationList?

    public init() { current = nil }

    /// The version of the current list; nil before the first.
    public var version: UInt64? { current?.content.version }

    /// True when the current list revokes `grantID`.
    public func isRevoked(_ grantID: GrantID) -> Bool {
        current?.content.contains(grantID) ?? false
    }

    /// Replaces the current list with `list` after checking, in this order: the key is trusted,
    /// the signature verifies, the key was valid when the list was issued, and the version is
    /// above the current one (any version when there is none yet).
    public mutating func apply(_ list: SignedRevocationList, trustedKeys: TrustedKeys) throws(RevocationRefusal) {
        switch trustedKeys.authenticate(list) {
        case let .unknownKey(keyID)?: throw .unknownKey(keyID)
        case let .badSignature(keyID)?: throw .badSignature(keyID)
        case let .keyExpired(keyID, validUntil, issuedAt)?: throw .keyExpired(keyID, validUntil: validUntil, issuedAt: issuedAt)
        case nil: break
        }
        if let version, list.content.version <= version {
            throw .notNewer(current: version, offered: list.content.version)
        }
        current = list
    }

    /// Decodes a revocation list token and applies it.
    public mutating func apply(token: [UInt8], trustedKeys: TrustedKeys) throws(RevocationRefusal) {
        let list: SignedRevocationList
        do throws(WireError) {
            list = try SignedRevocationList(wireBytes: token)
        } catch {
            throw .malformed(error)
        }
        try apply(list, trustedKeys: trustedKeys)
    }
}

/// Why an agent kept its current revocation list instead of a new one.
public enum RevocationRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case malformed(WireError)
    case unknownKey(KeyID)
    case badSignature(KeyID)
    case keyExpired(KeyID, validUntil: Timestamp, issuedAt: Timestamp)
    /// The offered version is not above the current one (a replay of an old list, or a repeat).
    case notNewer(current: UInt64, offered: UInt64)

    public var description: String {
        switch self {
        case let .malformed(error):
            return "malformed revocation list: \(error)"
        case let .unknownKey(keyID):
            return "revocation list signed by unknown key \(keyID)"
        case let .badSignature(keyID):
            return "revocation list signature does not verify under key \(keyID)"
        case let .keyExpired(keyID, validUntil, issuedAt):
            return "revocation list issued at \(issuedAt), after key \(keyID) stopped signing at \(validUntil)"
        case let .notNewer(current, offered):
            return "revocation list version \(offered) is not newer than the current version \(current)"
        }
    }
}
