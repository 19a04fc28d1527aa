import Foundation
import Protocol

/// A job the server billed, as it holds it: its usage entry (from `jobs`) and the bytes of the
/// device event it came from (from `device_events`), the leaf its proof starts at.
public struct BillSourceJob: Hashable, Sendable {
    public let entry: UsageEntry
    public let event: [UInt8]

    public init(entry: UsageEntry, event: [UInt8]) {
        self.entry = entry
        self.event = event
    }
}

/// One issued bill without its lines, for lists.
public struct BillSummary: Codable, Hashable, Sendable {
    public let id: String
    public let account: String
    public let corrects: String?
    public let periodStart: Int64
    public let periodEnd: Int64
    public let issuedAt: Int64
    public let amount: Int64
    public let currency: String?
    public let usageHash: String
    public let lines: Int
    public let issuedBy: String
}

/// The period of a bill, as people type it: a month `2026-11`, a day `2026-11-01`, a UTC time
/// `2026-11-01T08:00:00Z`, or milliseconds since the epoch.
public enum BillTime {
    public static func parse(_ text: String, field: String) throws(InputError) -> Timestamp {
        if let ms = Int64(text) { return Timestamp(millisecondsSinceEpoch: ms) }
        var candidate = text
        if text.count == 7 { candidate += "-01" }
        if candidate.count == 10 { candidate += "T00:00:00Z" }
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: candidate) else {
            throw InputError(field: field, "must be YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds; got \"\(text)\"")
        }
        return Timestamp(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// The first instant of the month after the month `start` is in (UTC): a month's end.
    public static func monthAfter(_ start: Timestamp) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(start.millisecondsSinceEpoch) / 1000)
        let next = calendar.date(byAdding: .month, value: 1, to: date) ?? date
        return Timestamp(millisecondsSinceEpoch: Int64((next.timeIntervalSince1970 * 1000).rounded()))
    }
}
