import Foundation
import Protocol

/// How values read on the pages: times in UTC to the minute, money in major units.
enum WebFormat {
    /// `2026-11-21 16:05` (UTC).
    static func time(_ moment: Timestamp?) -> String {
        guard let moment else { return "" }
        let text = TimeText.iso8601(moment)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    /// `12.50 EUR` from 1250 minor units (two decimals; every currency here has cents).
    static func money(_ minor: Int64, _ currency: String?) -> String {
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)" + (currency.map { " \($0)" } ?? "")
    }

    /// An amount in a quota's unit: pages, or money.
    static func amount(_ value: Int64, _ unit: QuotaUnit) -> String {
        switch unit {
        case .pages: return "\(value) pages"
        case let .money(currency): return money(value, currency.code)
        }
    }

    /// `512 B`, `200 KiB`, `16.0 MiB`: sizes of firmware images and transfers.
    static func bytes(_ count: UInt64) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1024 * 1024 { return "\(count / 1024) KiB" }
        let tenths = count * 10 / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
