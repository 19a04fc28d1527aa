import Foundation

/// CSV as RFC 4180 writes it: fields with a comma, quote or line break are quoted, quotes
/// doubled, lines end in CRLF. A cell that a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, so an exported name like `=HYPERLINK(...)`
/// stays text (CSV injection). Negative numbers are left alone: they are plain numbers.
public enum CSV {
    public static func encode(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
