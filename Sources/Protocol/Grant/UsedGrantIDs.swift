/// The grant ids an agent has already acted on. The agent backs this with its SQLite store and
/// keeps each id until the grant's expiry plus the clock skew (`GrantVerifier.usedIDRetention(for:)`).
public protocol UsedGrantIDs {
    func contains(_ grantID: GrantID) -> Bool
}

extension Set: UsedGrantIDs where Element == GrantID {}
