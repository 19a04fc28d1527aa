import Foundation
import Protocol

/// Seal use records as reports (SPEC E8): CSV for spreadsheets and a printable HTML page, for
/// a week (Monday 00:00 UTC) or a month. Pure: the same records give the same bytes, so the
/// reports are checked against golden files.
public enum SealReport {
    public static let csvHeader = "time,seal,application,user,device,place,latitude,longitude,use,remaining,photos,flagged"

    /// The week or month (`QuotaPeriodKind.weekly` / `.monthly`) that contains `moment`.
    public static func period(_ kind: QuotaPeriodKind, containing moment: Timestamp) -> QuotaPeriod {
        kind.period(containing: moment)
    }

    /// One line per use, oldest first, CRLF line ends (RFC 4180).
    public static func csv(_ records: [SealUseRecord]) -> String {
        var lines = [csvHeader]
        for record in records {
            let fields: [String] = [
                TimeText.iso8601(record.at), record.seal?.value ?? "", record.applicationID.value, record.userID.value, record.deviceID.value,
                record.location.placeName, coordinate(record.location.coordinate?.latitudeMicrodegrees),
                coordinate(record.location.coordinate?.longitudeMicrodegrees), record.useNumber.map { String($0) } ?? "",
                record.usesRemaining.map { String($0) } ?? "", record.photos.map(\.hex).joined(separator: " "), record.flagged ?? "",
            ]
            lines.append(fields.map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A self-contained page (inline CSS, no scripts) with a summary per seal and per person and
    /// a table of every use.
    public static func html(_ records: [SealUseRecord], kind: QuotaPeriodKind, period: QuotaPeriod) -> String {
        let title = "Seal use, \(kind == .weekly ? "week" : "month") from \(day(period.start)) to \(day(period.end.adding(milliseconds: -1)))"
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(HTMLText.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; }
        table { border-collapse: collapse; margin-bottom: 1.5em; }
        th, td { border: 1px solid #888; padding: 0.2em 0.5em; text-align: left; }
        td.flagged { color: #a00; font-weight: bold; }
        @media print { body { margin: 0; } }
        </style>
        </head>
        <body>
        <h1>\(HTMLText.escape(title))</h1>
        <p>\(records.count) use\(records.count == 1 ? "" : "s"), \(records.filter { $0.flagged != nil }.count) flagged. Times in UTC.</p>

        """
        out += summary("Per seal", records.map { $0.seal?.value ?? "(unknown application)" })
        out += summary("Per person", records.map(\.userID.value))
        out += "<h2>Uses</h2>\n<table>\n<tr><th>Time</th><th>Seal</th><th>Application</th><th>Person</th><th>Device</th><th>Place</th><th>Use</th><th>Remaining</th><th>Photos</th><th>Flagged</th></tr>\n"
        for record in records {
            let useNumber: String = record.useNumber.map { String($0) } ?? ""
            let remaining: String = record.usesRemaining.map { String($0) } ?? ""
            let photos: String = record.photos.map { String($0.hex.prefix(12)) }.joined(separator: " ")
            let texts: [String] = [
                TimeText.iso8601(record.at), record.seal?.value ?? "", record.applicationID.value, record.userID.value, record.deviceID.value,
                record.location.placeName, useNumber, remaining, photos,
            ]
            let cells = texts.map { "<td>\(HTMLText.escape($0))</td>" }.joined()
            let flag = record.flagged.map { "<td class=\"flagged\">\(HTMLText.escape($0))</td>" } ?? "<td></td>"
            out += "<tr>\(cells)\(flag)</tr>\n"
        }
        out += "</table>\n</body>\n</html>\n"
        return out
    }

    private static func summary(_ heading: String, _ keys: [String]) -> String {
        var counts: [String: Int] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        var out = "<h2>\(HTMLText.escape(heading))</h2>\n<table>\n<tr><th>Name</th><th>Uses</th></tr>\n"
        for key in counts.keys.sorted() { out += "<tr><td>\(HTMLText.escape(key))</td><td>\(counts[key]!)</td></tr>\n" }
        return out + "</table>\n"
    }

    private static func coordinate(_ microdegrees: Int32?) -> String {
        guard let microdegrees else { return "" }
        let sign = microdegrees < 0 ? "-" : ""
        let magnitude = Int64(microdegrees).magnitude
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    private static func day(_ moment: Timestamp) -> String { String(TimeText.iso8601(moment).prefix(10)) }
}
