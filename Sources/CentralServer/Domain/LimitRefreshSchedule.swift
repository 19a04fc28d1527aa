import Protocol

/// When every device gets fresh limit grants for all its users again (SPEC B3: "periodically"),
/// besides the pushes on change. Pure.
public enum LimitRefreshSchedule {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// The earlier of `last + interval` and the first UTC midnight after `last`. Every quota
    /// period (day, week, month, year) starts at a UTC midnight, so a period's reset reaches the
    /// devices at its start: their old limit grants expire at the old period's end, and the new
    /// ones (with nothing used) follow at once.
    public static func nextFullRefresh(after last: Timestamp, interval: Int64) -> Timestamp {
        let ms = last.millisecondsSinceEpoch
        let day = ms >= 0 ? ms / millisecondsPerDay : (ms - millisecondsPerDay + 1) / millisecondsPerDay
        let midnight = (day + 1) * millisecondsPerDay
        return Timestamp(millisecondsSinceEpoch: min(midnight, ms + max(1, interval)))
    }
}
