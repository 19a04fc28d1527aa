import Protocol

/// How many wrong PINs lock PIN entry, and for how long (docs/server.md, "PIN rate limit").
///
/// A **lock** starts at a wrong PIN that is the `maximumFailures`-th within `window` (counting
/// itself) and lasts `lockout` from that failure. While locked, PINs are not checked at all, so
/// nothing more is learnt and nothing more is counted. The same rule runs twice: per user (the
/// card's owner, so a second card gives no extra tries) and per device (someone at one copier
/// trying many cards).
public struct PINRateLimit: Hashable, Sendable {
    public let maximumFailures: Int
    /// Milliseconds.
    public let window: Int64
    /// Milliseconds.
    public let lockout: Int64

    public init(maximumFailures: Int, window: Int64, lockout: Int64) {
        self.maximumFailures = max(1, maximumFailures)
        self.window = max(0, window)
        self.lockout = max(0, lockout)
    }

    /// 5 wrong PINs for one user within 15 minutes lock that user's PIN entry for 15 minutes.
    public static let perUser = PINRateLimit(maximumFailures: 5, window: 15 * 60_000, lockout: 15 * 60_000)
    /// 20 wrong PINs at one device within 15 minutes lock PIN entry on that device for 15 minutes.
    public static let perDevice = PINRateLimit(maximumFailures: 20, window: 15 * 60_000, lockout: 15 * 60_000)

    /// How far back a caller must load failures for `lockedUntil` to be exact.
    public var lookBack: Int64 { window + lockout }

    /// When the lock that `failures` cause ends, if it has not ended by `now`; nil when not locked.
    /// `failures` are the times of wrong PINs (any order, at least the last `lookBack`).
    public func lockedUntil(failures: [Timestamp], now: Timestamp) -> Timestamp? {
        let times = failures.map(\.millisecondsSinceEpoch).filter { $0 <= now.millisecondsSinceEpoch }.sorted()
        let span = maximumFailures - 1
        var end: Int64?
        var index = span
        while index < times.count {
            if times[index] - times[index - span] < window {
                let lockEnd = Saturating.add(times[index], lockout)
                end = max(end ?? lockEnd, lockEnd)
            }
            index += 1
        }
        guard let end, now.millisecondsSinceEpoch < end else { return nil }
        return Timestamp(millisecondsSinceEpoch: end)
    }
}
