import Protocol

/// What lets a seal session open: a seal grant the `GrantVerifier` accepted, for this seal and
/// the application the person named, with uses left. Its initialiser is private, so the
/// `SealSession` cannot be handed an unverified grant. (No offline basis: a seal use needs an
/// approved application's grant, SPEC E3.)
public struct SealAuthorization: Sendable, Equatable {
    public let claims: GrantClaims
    /// The grant exactly as signed: the seal verifies it again itself.
    public let grantToken: [UInt8]
    public let applicationID: ApplicationID
    /// Uses the grant still allows: its allowance less the uses this agent already recorded.
    public let usesRemaining: UInt32

    public var user: UserID { claims.subject }
    public var grantID: GrantID { claims.grantID }
    public var seal: ResourceID { claims.resourceID }

    private init(claims: GrantClaims, grantToken: [UInt8], applicationID: ApplicationID, usesRemaining: UInt32) {
        self.claims = claims
        self.grantToken = grantToken
        self.applicationID = applicationID
        self.usesRemaining = usesRemaining
    }

    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case grant(GrantRefusal)
        case notASealGrant(ResourceType)
        case wrongApplication(expected: ApplicationID?, granted: ApplicationID?)

        public var description: String {
            switch self {
            case let .grant(refusal): return "\(refusal)"
            case let .notASealGrant(type): return "the grant is for a \(type), not a seal"
            case let .wrongApplication(expected, granted):
                return "the grant is for application \(granted?.value ?? "none"), not \(expected?.value ?? "none")"
            }
        }
    }

    /// Verifies a grant for `seal` and `application`; `used` is what this agent already
    /// recorded under the grant (normally nothing: the seal opens a grant once).
    public static func verify(
        grantToken: [UInt8], verifier: GrantVerifier, seal: ResourceID, application: ApplicationID,
        at now: Timestamp, usedGrantIDs: some UsedGrantIDs, revocations: RevocationState, used: GrantUsage = GrantUsage()
    ) -> Result<SealAuthorization, Refusal> {
        let verdict = verifier.verify(grantToken: grantToken, at: now, resource: seal, usedGrantIDs: usedGrantIDs,
                                      revocations: revocations, usage: used)
        switch verdict {
        case let .refused(reason):
            return .failure(.grant(reason))
        case let .accepted(claims):
            guard claims.resourceType == .seal else { return .failure(.notASealGrant(claims.resourceType)) }
            guard let granted = claims.applicationID, granted == application else {
                return .failure(.wrongApplication(expected: application, granted: claims.applicationID))
            }
            let remaining = claims.allowance.sealUses - min(used.sealUses, claims.allowance.sealUses)
            return .success(SealAuthorization(claims: claims, grantToken: grantToken, applicationID: granted, usesRemaining: remaining))
        }
    }
}
