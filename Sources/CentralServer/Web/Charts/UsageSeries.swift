import Protocol

/// Use over time (issue 7: per user, department and device, for the week, month and year), as
/// buckets to chart. Pure: the uses and `now` go in; the buckets come out, oldest first, each
/// with its label and total. UTC calendar days and months.
public enum UsageRange: String, CaseIterable, Hashable, Sendable {
    /// The last 7 days, a bar per day.
    case week
    /// The last 30 days, a bar per day.
    case month
    /// The last 12 months, a bar per calendar month.
    case year
}

/// One use to count: when, by whom, where, how many pages.
public struct UsagePoint: Hashable, Sendable {
    public let at: Timestamp
    public let user: String
    public let department: String
    public let device: String
    public let pages: Int64

    public init(at: Timestamp, user: String, department: String, device: String, pages: Int64) {
        self.at = at
        self.user = user
        self.department = department
        self.device = device
        self.pages = pages
    }

    /// The key of this use when grouped `by` user, department or device.
    public func key(_ by: UsageGrouping) -> String {
        switch by {
        case .user: return user
        case .department: return department
        case .device: return device
        }
    }
}

public enum UsageGrouping: String, CaseIterable, Hashable, Sendable {
    case user, department, device
}

public struct UsageBucket: Hashable, Sendable {
    public let label: String
    /// `[start, end)`.
    public let start: Timestamp
    public let end: Timestamp
    public let total: Int64
}

public enum UsageSeries {
    static let day: Int64 = 86_400_000

    /// The buckets of `range` ending with the one holding `now`, summing the pages of `points`
    /// (already filtered to what is charted); points outside every bucket are not counted.
    public static func buckets(_ points: [UsagePoint], range: UsageRange, now: Timestamp) -> [UsageBucket] {
        let bounds = Self.bounds(range, now: now)
        var totals = Array(repeating: Int64(0), count: bounds.count)
        for point in points {
            let t = point.at.millisecondsSinceEpoch
            // Few buckets (≤ 30): a linear search is clearer than a binary one.
            if let index = bounds.firstIndex(where: { $0.start.millisecondsSinceEpoch <= t && t < $0.end.millisecondsSinceEpoch }) {
                totals[index] += point.pages
            }
        }
        return zip(bounds, totals).map { UsageBucket(label: $0.label, start: $0.start, end: $0.end, total: $1) }
    }

    /// Totals per key over the whole range, largest first (the table beside the chart).
    public static func totals(_ points: [UsagePoint], by grouping: UsageGrouping, range: UsageRange, now: Timestamp) -> [(key: String, pages: Int64)] {
        let bounds = Self.bounds(range, now: now)
        guard let start = bounds.first?.start.millisecondsSinceEpoch, let end = bounds.last?.end.millisecondsSinceEpoch else { return [] }
        var sums: [String: Int64] = [:]
        for point in points where start <= point.at.millisecondsSinceEpoch && point.at.millisecondsSinceEpoch < end {
            sums[point.key(grouping), default: 0] += point.pages
        }
        return sums.map { (key: $0.key, pages: $0.value) }.sorted { $0.pages != $1.pages ? $0.pages > $1.pages : $0.key < $1.key }
    }

    static func bounds(_ range: UsageRange, now: Timestamp) -> [(label: String, start: Timestamp, end: Timestamp)] {
        let today = floorDiv(now.millisecondsSinceEpoch, day)
        switch range {
        case .week, .month:
            let count: Int64 = range == .week ? 7 : 30
            return ((today - count + 1)...today).map { days in
                let (_, month, dayOfMonth) = CivilDate.civil(fromDays: days)
                return ("\(month)/\(dayOfMonth)", Timestamp(millisecondsSinceEpoch: days * day), Timestamp(millisecondsSinceEpoch: (days + 1) * day))
            }
        case .year:
            let (year, month, _) = CivilDate.civil(fromDays: today)
            return (0..<12).reversed().map { back in
                let index = year * 12 + (month - 1) - Int64(back)
                let (y, m) = (floorDiv(index, 12), index - floorDiv(index, 12) * 12 + 1)
                let next = index + 1
                let (ny, nm) = (floorDiv(next, 12), next - floorDiv(next, 12) * 12 + 1)
                return (
                    "\(y)-\(m < 10 ? "0" : "")\(m)",
                    Timestamp(millisecondsSinceEpoch: CivilDate.days(year: y, month: m, day: 1) * day),
                    Timestamp(millisecondsSinceEpoch: CivilDate.days(year: ny, month: nm, day: 1) * day)
                )
            }
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }
}
