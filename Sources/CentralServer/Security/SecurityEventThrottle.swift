import Protocol

/// How many security events caused by clients that have not authenticated are written one by
/// one (issue 21: 2,000 unsigned webhook posts wrote 2,000 rows in 3.7 s, and the newest rows
/// are what people read). In each fixed window, the first `perSource` events of one kind from
/// one source are written, and at most `overall` of all such events; the rest are counted and
/// written as one summary row per kind and source when the window ends. Once `overall` is
/// reached, sources not yet seen in the window are counted together per kind, so an attacker
/// with many addresses cannot grow the counts without bound either. Pure: times come in,
/// decisions go out.
public struct SecurityEventThrottle: Sendable {
    public var perSource: Int
    public var overall: Int
    /// Milliseconds.
    public var window: Int64

    /// A count of events not written one by one.
    public struct Summary: Hashable, Sendable {
        public let kind: String
        /// The source, or nil for "many sources" (counted together once `overall` was reached).
        public let source: String?
        public let count: Int
        public let first: Timestamp
        public let last: Timestamp

        /// The row that stands for them.
        public func event() -> SecurityEvent {
            let from = source.map { "from \($0)" } ?? "from sources not listed one by one (the window's limit was reached)"
            return SecurityEvent(at: last, kind: kind, detail: "\(count) more \(from) between \(TimeText.iso8601(first)) and \(TimeText.iso8601(last)), counted here rather than written one by one")
        }
    }

    private struct Key: Hashable { let kind: String; let source: String? }
    private struct Count { var written = 0; var suppressed = 0; var first: Timestamp?; var last: Timestamp? }

    private var windowStart: Int64?
    private var written = 0
    private var counts: [Key: Count] = [:]

    public init(perSource: Int = 10, overall: Int = 200, window: Int64 = 60_000) {
        self.perSource = perSource
        self.overall = overall
        self.window = window
    }

    /// Whether the event of `kind` from `source` at `now` is written one by one; and the
    /// summaries of a window that has ended (to be written first).
    public mutating func admit(kind: String, source: String, at now: Timestamp) -> (write: Bool, summaries: [Summary]) {
        let summaries = due(now: now)
        if windowStart == nil { windowStart = now.millisecondsSinceEpoch }
        let key = Key(kind: kind, source: source)
        if counts[key] == nil, written >= overall {
            note(Key(kind: kind, source: nil), at: now)
            return (false, summaries)
        }
        var count = counts[key] ?? Count()
        if count.written < perSource, written < overall {
            count.written += 1
            written += 1
            counts[key] = count
            return (true, summaries)
        }
        counts[key] = count
        note(key, at: now)
        return (false, summaries)
    }

    /// The summaries of the window if it has ended by `now` (then a new window begins), else none.
    public mutating func due(now: Timestamp) -> [Summary] {
        guard let start = windowStart, now.millisecondsSinceEpoch >= start + window else { return [] }
        return drain()
    }

    /// Every summary still counted, whether or not its window has ended (at shutdown).
    public mutating func drain() -> [Summary] {
        let summaries = counts.compactMap { key, count -> Summary? in
            guard count.suppressed > 0, let first = count.first, let last = count.last else { return nil }
            return Summary(kind: key.kind, source: key.source, count: count.suppressed, first: first, last: last)
        }.sorted { ($0.first, $0.kind, $0.source ?? "") < ($1.first, $1.kind, $1.source ?? "") }
        windowStart = nil
        written = 0
        counts = [:]
        return summaries
    }

    private mutating func note(_ key: Key, at now: Timestamp) {
        var count = counts[key] ?? Count()
        count.suppressed += 1
        count.first = count.first ?? now
        count.last = now
        counts[key] = count
    }
}
