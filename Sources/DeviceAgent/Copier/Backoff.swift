/// Bounded exponential backoff with full jitter (the AWS architecture blog's "full jitter"):
/// the n-th retry waits a random time in [0, min(cap, base × 2^n)]. Pure: the random source is
/// injected. Used for Modbus reconnects and the uplink, so a fleet of agents does not retry in
/// step after a shared outage.
public struct Backoff: Sendable {
    public let baseMilliseconds: Int64
    public let capMilliseconds: Int64
    public private(set) var attempt: Int = 0

    public init(baseMilliseconds: Int64 = 100, capMilliseconds: Int64 = 5_000) {
        precondition(baseMilliseconds > 0 && capMilliseconds >= baseMilliseconds)
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
    }

    /// The wait before the next retry, in milliseconds.
    public mutating func next(using generator: inout some RandomNumberGenerator) -> Int64 {
        let ceiling = attempt >= 62 ? capMilliseconds : min(capMilliseconds, baseMilliseconds << min(attempt, 40))
        attempt += 1
        return Int64.random(in: 0...ceiling, using: &generator)
    }

    /// After a success: start again from the base.
    public mutating func reset() { attempt = 0 }
}
