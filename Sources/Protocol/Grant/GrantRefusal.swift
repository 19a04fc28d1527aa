/// Why the agent refused an access grant or a limit grant. Each case carries what a person
/// needs to see why; `description` says it in words.
public enum GrantRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The token did not decode (or decoded to invalid claims).
    case malformed(WireError)
    /// No trusted key has the key id the grant names.
    case unknownKey(KeyID)
    /// The signature does not verify under the named key.
    case badSignature(KeyID)
    /// The grant says it was issued after its key stopped signing (key rotation).
    case keyExpired(KeyID, validUntil: Timestamp, issuedAt: Timestamp)
    /// The grant is for another device.
    case wrongDevice(expected: DeviceID, granted: DeviceID)
    /// The grant is for another user than the one at the device.
    case wrongUser(expected: UserID, granted: UserID)
    /// The grant is for another copier or seal than the one being unlocked.
    case wrongResource(expected: ResourceID, granted: ResourceID)
    /// `now` is before the start of the grant's validity, even allowing for clock skew.
    case notYetValid(validFrom: Timestamp, now: Timestamp)
    /// `now` is at or after the grant's expiry, even allowing for clock skew.
    case expired(expires: Timestamp, now: Timestamp)
    /// The grant id has been used before.
    case replayed(GrantID)
    /// The current revocation list names the grant.
    case revoked(GrantID)
    /// Everything the grant allows has been used.
    case exhausted(GrantID)

    public var description: String {
        switch self {
        case let .malformed(error):
            return "malformed grant: \(error)"
        case let .unknownKey(keyID):
            return "signed by key \(keyID), which this device does not trust"
        case let .badSignature(keyID):
            return "the signature does not verify under key \(keyID)"
        case let .keyExpired(keyID, validUntil, issuedAt):
            return "issued at \(issuedAt), after key \(keyID) stopped signing at \(validUntil)"
        case let .wrongDevice(expected, granted):
            return "granted for device \(granted), this is device \(expected)"
        case let .wrongUser(expected, granted):
            return "granted to user \(granted), not to user \(expected)"
        case let .wrongResource(expected, granted):
            return "granted for \(granted), not for \(expected)"
        case let .notYetValid(validFrom, now):
            return "not valid before \(validFrom) (now \(now))"
        case let .expired(expires, now):
            return "expired at \(expires) (now \(now))"
        case let .replayed(grantID):
            return "grant \(grantID) has already been used"
        case let .revoked(grantID):
            return "grant \(grantID) has been revoked"
        case let .exhausted(grantID):
            return "everything grant \(grantID) allows has been used"
        }
    }

    init(_ problem: SignatureProblem) {
        switch problem {
        case let .unknownKey(keyID): self = .unknownKey(keyID)
        case let .badSignature(keyID): self = .badSignature(keyID)
        case let .keyExpired(keyID, validUntil, issuedAt): self = .keyExpired(keyID, validUntil: validUntil, issuedAt: issuedAt)
        }
    }
}
