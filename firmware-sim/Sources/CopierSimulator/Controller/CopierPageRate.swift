/// How fast the simulated copier produces page impressions. Real office copiers run at 20-60
/// pages a minute; the default of 10 a second keeps demonstrations short, and tests raise it.
public struct CopierPageRate: Hashable, Sendable, CustomStringConvertible {
    public static let allowed: ClosedRange<Double> = 0.1...10_000
    public static let standard = CopierPageRate(checked: 10)

    public let pagesPerSecond: Double

    /// Nil when the rate is not a finite number in `allowed`.
    public init?(pagesPerSecond: Double) {
        guard pagesPerSecond.isFinite, Self.allowed.contains(pagesPerSecond) else { return nil }
        self.pagesPerSecond = pagesPerSecond
    }

    private init(checked pagesPerSecond: Double) { self.pagesPerSecond = pagesPerSecond }

    /// Time from one page to the next (at least one nanosecond).
    public var interval: Duration {
        .nanoseconds(max(1, Int64((1e9 / pagesPerSecond).rounded())))
    }

    public var description: String { "\(pagesPerSecond) pages/s" }
}
