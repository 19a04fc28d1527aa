/// The outcome of verifying a grant: its claims, which the caller may now act on, or the reason
/// it was refused. Modelled on what swift-certificates' `VerifierPolicy` returns
/// (`.meetsPolicy` / `.failsToMeetPolicy(reason:)`), with a typed reason.
public enum GrantVerdict<Claims: Hashable & Sendable>: Hashable, Sendable {
    case accepted(Claims)
    case refused(GrantRefusal)

    /// The claims when accepted, nil when refused.
    public var acceptedClaims: Claims? {
        if case let .accepted(claims) = self { return claims }
        return nil
    }

    /// The reason when refused, nil when accepted.
    public var refusal: GrantRefusal? {
        if case let .refused(reason) = self { return reason }
        return nil
    }
}
