import Protocol

/// Timestamps and durations as people read and type them.
public enum TimeText {
    /// `2023-11-14T22:13:20Z` (UTC, whole seconds).
    public static func iso8601(_ moment: Timestamp) -> String {
        let ms = moment.millisecondsSinceEpoch
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Parses a duration such as `90s`, `30m`, `24h`, `7d` into milliseconds: a whole number from 1
    /// and one unit letter.
    public static func duration(_ text: String, field: String) throws(InputError) -> Int64 {
        guard let unit = text.last, let number = Int64(text.dropLast()), number > 0 else {
            throw InputError(field: field, "must be a number and a unit (s, m, h or d), e.g. 24h; got \"\(text)\"")
        }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: throw InputError(field: field, "unknown unit \"\(unit)\" (use s, m, h or d)")
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw InputError(field: field, "\(text) is too long") }
        return product
    }
}
