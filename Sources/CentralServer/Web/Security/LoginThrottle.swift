import Protocol

/// When a web login is refused before the password is even checked (issue 7): too many wrong
/// passwords for one account, or from one address, in a sliding window. Pure: the failures and
/// the time come in, the decision goes out. Counting per address too stops one host from trying
/// one password against every account (which a per-account count alone would never notice).
public struct LoginThrottle: Hashable, Sendable {
    /// Failures within `window` that lock an account.
    public var perAccount: Int
    /// Failures within `window` that lock a source address (every account together).
    public var perSource: Int
    /// Milliseconds.
    public var window: Int64

    public init(perAccount: Int = 5, perSource: Int = 20, window: Int64 = 15 * 60_000) {
        self.perAccount = perAccount
        self.perSource = perSource
        self.window = window
    }

    public enum Decision: Hashable, Sendable {
        case allowed
        /// Locked until `until` (when the oldest counted failure leaves the window).
        case locked(until: Timestamp, reason: String)
    }

    /// Whether a login may be tried at `now`, given the failure times of the account and of the source.
    public func decide(accountFailures: [Timestamp], sourceFailures: [Timestamp], now: Timestamp) -> Decision {
        if let until = lockedUntil(accountFailures, limit: perAccount, now: now) {
            return .locked(until: until, reason: "too many wrong passwords for this account")
        }
        if let until = lockedUntil(sourceFailures, limit: perSource, now: now) {
            return .locked(until: until, reason: "too many wrong passwords from this address")
        }
        return .allowed
    }

    /// The failures worth keeping at `now` start here (older ones can be forgotten).
    public func windowStart(_ now: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - window)
    }

    private func lockedUntil(_ failures: [Timestamp], limit: Int, now: Timestamp) -> Timestamp? {
        let start = windowStart(now).millisecondsSinceEpoch
        let recent = failures.map(\.millisecondsSinceEpoch).filter { $0 > start && $0 <= now.millisecondsSinceEpoch }.sorted()
        guard recent.count >= limit else { return nil }
        // Unlocked when enough of them have aged out that fewer than `limit` remain.
        return Timestamp(millisecondsSinceEpoch: recent[recent.count - limit] + window)
    }
}
