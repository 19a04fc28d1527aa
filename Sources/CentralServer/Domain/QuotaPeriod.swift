import Protocol

/// How long a quota lasts before it starts again (SPEC B1). Periods are calendar periods in UTC:
/// a day from 00:00, a week from Monday 00:00 (ISO 8601), a month from the 1st, a year from
/// 1 January. A period is the half-open interval `[start, end)`.
public enum QuotaPeriodKind: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case daily
    case weekly
    case monthly
    case yearly

    public var description: String { rawValue }

    /// The period that contains `moment`.
    public func period(containing moment: Timestamp) -> QuotaPeriod {
        let millisecondsPerDay: Int64 = 86_400_000
        let ms = moment.millisecondsSinceEpoch
        // Floor division, so a moment is always in the day that started at or before it.
        let day = ms >= 0 ? ms / millisecondsPerDay : (ms - millisecondsPerDay + 1) / millisecondsPerDay
        let startDay: Int64
        let endDay: Int64
        switch self {
        case .daily:
            startDay = day
            endDay = day + 1
        case .weekly:
            // 1970-01-01 was a Thursday: Monday-based weekday index is (day + 3) mod 7.
            let weekday = ((day + 3) % 7 + 7) % 7
            startDay = day - weekday
            endDay = startDay + 7
        case .monthly:
            let (year, month, _) = CivilDate.civil(fromDays: day)
            startDay = CivilDate.days(year: year, month: month, day: 1)
            endDay = month == 12 ? CivilDate.days(year: year + 1, month: 1, day: 1) : CivilDate.days(year: year, month: month + 1, day: 1)
        case .yearly:
            let (year, _, _) = CivilDate.civil(fromDays: day)
            startDay = CivilDate.days(year: year, month: 1, day: 1)
            endDay = CivilDate.days(year: year + 1, month: 1, day: 1)
        }
        return QuotaPeriod(
            start: Timestamp(millisecondsSinceEpoch: startDay * millisecondsPerDay),
            end: Timestamp(millisecondsSinceEpoch: endDay * millisecondsPerDay)
        )
    }
}

/// One quota period, `[start, end)`.
public struct QuotaPeriod: Hashable, Sendable, CustomStringConvertible {
    public let start: Timestamp
    public let end: Timestamp

    public init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }

    public func contains(_ moment: Timestamp) -> Bool { start <= moment && moment < end }

    public var description: String { "[\(start), \(end))" }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after
/// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for every representable date,
/// no tables, no time zones.
enum CivilDate {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
