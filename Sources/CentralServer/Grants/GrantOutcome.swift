import Protocol

/// A signed access grant and, for a copier user with a quota, their signed limit grant.
public struct IssuedGrantTokens: Hashable, Sendable {
    public let accessGrant: SignedGrant
    public let limitGrant: SignedLimitGrant?

    public init(accessGrant: SignedGrant, limitGrant: SignedLimitGrant?) {
        self.accessGrant = accessGrant
        self.limitGrant = limitGrant
    }

    /// The access grant token bytes (docs/grants.md), exactly as signed.
    public var accessToken: [UInt8] { accessGrant.wireBytes() }
    public var limitToken: [UInt8]? { limitGrant?.wireBytes() }
}

/// The answer to a grant request: what the uplink sends back as a `grant` or a `refusal`.
public enum GrantOutcome: Hashable, Sendable {
    case granted(IssuedGrantTokens)
    case refused(UplinkMessage.RefusalReason, text: String)

    public var refusalReason: UplinkMessage.RefusalReason? {
        if case let .refused(reason, _) = self { return reason }
        return nil
    }

    public var tokens: IssuedGrantTokens? {
        if case let .granted(tokens) = self { return tokens }
        return nil
    }

    /// The uplink message answering the request (a `grant` or a `refusal`).
    public func uplinkMessage() throws(WireError) -> UplinkMessage {
        switch self {
        case let .granted(tokens):
            return .grant(try UplinkMessage.Grant(accessGrant: tokens.accessToken, limitGrant: tokens.limitToken))
        case let .refused(reason, text):
            return .refusal(try UplinkMessage.Refusal(reason: reason, text: text))
        }
    }
}
