import Foundation
import Protocol
import Testing
@testable import CentralServer

/// The weekly and monthly seal reports (SPEC E8) against golden files in Golden/. To accept a
/// deliberate change, run with IMPRIMATUR_UPDATE_GOLDEN=1 and review the diff.
@Suite("Seal reports")
struct SealReportTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// 2023-11-13 is a Monday; uses on the Sunday before, through the week, and in December.
    static func records() -> [SealUseRecord] {
        let day: Int64 = 86_400_000
        let monday = Timestamp(millisecondsSinceEpoch: 1_699_833_600_000)
        func record(_ offset: Int64, _ seal: String?, _ user: String, _ use: UInt32?, _ left: UInt32?, place: String, flagged: String? = nil, photos: Int = 1) -> SealUseRecord {
            let at = monday.adding(milliseconds: offset)
            return SealUseRecord(
                deviceID: Fixture.deviceID("agent-1"), eventSequence: UInt64(offset.magnitude / 1000), applicationID: try! ApplicationID(seal == nil ? "sa-ghost" : "sa-\(user)"),
                seal: seal.map(Fixture.resourceID), userID: Fixture.userID(user), grantID: GrantID(high: 1, low: offset.magnitude), sessionID: 1, at: at,
                location: try! SealLocation(placeName: place, coordinate: try! GeoCoordinate(latitudeMicrodegrees: 48_858_370, longitudeMicrodegrees: -2_294_481)),
                photos: (0..<photos).map { Hash32.sha256(Array("photo \(offset) \($0)".utf8)) }, useNumber: use, usesRemaining: left, flagged: flagged
            )
        }
        return [
            record(-3_600_000, "seal-1", "alice", 1, 2, place: "Legal, 3F"),
            record(9 * 3_600_000, "seal-1", "alice", 2, 1, place: "Legal, 3F"),
            record(day + 10 * 3_600_000, "seal-2", "bob", 1, 0, place: "Board room, \"B\"", photos: 2),
            record(2 * day, nil, "mallory", nil, nil, place: "=cmd|' /C calc'!A0", flagged: "seal.use-unknown-application", photos: 0),
            record(6 * day + 23 * 3_600_000, "seal-1", "alice", 4, 0, place: "Legal <3F> & co", flagged: "seal.use-over-approved-count"),
            record(20 * day, "seal-2", "bob", 2, 0, place: "Board room"),
        ]
    }

    static func check(_ text: String, against name: String) throws {
        let file = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["IMPRIMATUR_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its golden file")
    }

    static func report(_ kind: QuotaPeriodKind) -> (QuotaPeriod, [SealUseRecord]) {
        let period = SealReport.period(kind, containing: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        return (period, records().filter { period.contains($0.at) })
    }

    @Test func weeklyCSVAndHTML() throws {
        let (period, records) = Self.report(.weekly)
        #expect(TimeText.iso8601(period.start) == "2023-11-13T00:00:00Z")
        #expect(records.count == 4, "the Sunday before and December are outside the week")
        try Self.check(SealReport.csv(records), against: "seal-weekly.csv")
        try Self.check(SealReport.html(records, kind: .weekly, period: period), against: "seal-weekly.html")
    }

    @Test func monthlyCSVAndHTML() throws {
        let (period, records) = Self.report(.monthly)
        #expect(TimeText.iso8601(period.start) == "2023-11-01T00:00:00Z")
        #expect(records.count == 5, "December is outside November")
        try Self.check(SealReport.csv(records), against: "seal-monthly.csv")
        try Self.check(SealReport.html(records, kind: .monthly, period: period), against: "seal-monthly.html")
    }

    @Test func csvFieldsAreQuotedAndFormulasDefused() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("=1+1") == "'=1+1")
        #expect(CSV.field("-2.294481") == "-2.294481")
        #expect(HTMLText.escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
    }
}
