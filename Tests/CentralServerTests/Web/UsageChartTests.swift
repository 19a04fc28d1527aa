import Protocol
import Testing
@testable import CentralServer

@Suite("Use over time: buckets and SVG bar charts")
struct UsageChartTests {
    static let day: Int64 = 86_400_000
    /// 2026-11-21T12:00:00Z.
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_262_400_000)

    static func point(daysAgo: Int64, pages: Int64, user: String = "alice", device: String = "copier-1") -> UsagePoint {
        UsagePoint(at: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - daysAgo * day), user: user, department: "sales", device: device, pages: pages)
    }

    @Test func aWeekIsSevenDailyBucketsEndingToday() {
        let buckets = UsageSeries.buckets([Self.point(daysAgo: 0, pages: 3), Self.point(daysAgo: 0, pages: 2), Self.point(daysAgo: 6, pages: 7), Self.point(daysAgo: 7, pages: 100)], range: .week, now: Self.now)
        #expect(buckets.count == 7)
        #expect(buckets.last?.label == "11/21" && buckets.first?.label == "11/15")
        #expect(buckets.last?.total == 5 && buckets.first?.total == 7)
        // Eight days ago is outside the week.
        #expect(buckets.reduce(0) { $0 + $1.total } == 12)
    }

    @Test func aMonthIsThirtyDays() {
        let buckets = UsageSeries.buckets([Self.point(daysAgo: 29, pages: 4), Self.point(daysAgo: 30, pages: 9)], range: .month, now: Self.now)
        #expect(buckets.count == 30 && buckets.first?.total == 4)
        #expect(buckets.reduce(0) { $0 + $1.total } == 4)
    }

    @Test func aYearIsTwelveCalendarMonthsAcrossTheNewYear() {
        let buckets = UsageSeries.buckets([Self.point(daysAgo: 300, pages: 5), Self.point(daysAgo: 0, pages: 1)], range: .year, now: Self.now)
        #expect(buckets.map(\.label).first == "2025-12" && buckets.map(\.label).last == "2026-11")
        #expect(buckets.count == 12)
        // 300 days before 2026-11-21 is 2026-01-25.
        #expect(buckets[1].label == "2026-01" && buckets[1].total == 5)
        #expect(buckets[0].end == buckets[1].start)
    }

    @Test func totalsGroupByTheChosenKeyLargestFirst() {
        let points = [Self.point(daysAgo: 1, pages: 2, user: "bob"), Self.point(daysAgo: 1, pages: 5, device: "copier-2"), Self.point(daysAgo: 2, pages: 1)]
        #expect(UsageSeries.totals(points, by: .user, range: .week, now: Self.now).map(\.key) == ["alice", "bob"])
        #expect(UsageSeries.totals(points, by: .user, range: .week, now: Self.now).first?.pages == 6)
        #expect(UsageSeries.totals(points, by: .device, range: .week, now: Self.now).map(\.pages) == [5, 3])
    }

    @Test func theAxisMaximumIsANiceNumber() {
        #expect(BarChartSVG.niceMaximum(0) == 1)
        #expect(BarChartSVG.niceMaximum(7) == 10)
        #expect(BarChartSVG.niceMaximum(12) == 20)
        #expect(BarChartSVG.niceMaximum(201) == 500)
        #expect(BarChartSVG.niceMaximum(1000) == 1000)
    }

    @Test func barsAreAsTallAsTheirValueOnTheAxis() {
        let bars = [BarChartSVG.Bar(label: "a", value: 10), .init(label: "b", value: 5), .init(label: "c", value: 0)]
        let geometry = BarChartSVG.geometry(bars)
        #expect(geometry.count == 3)
        #expect(abs(geometry[0].height - 2 * geometry[1].height) < 0.001)
        #expect(geometry[2].height == 0)
        // Bars stand on the same base line.
        #expect(abs((geometry[0].y + geometry[0].height) - (geometry[1].y + geometry[1].height)) < 0.001)
        #expect(geometry[0].x < geometry[1].x)
    }

    @Test func theSVGEscapesItsText() {
        let svg = BarChartSVG.svg([.init(label: "<b>&", value: 3)], title: "use \"now\"")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("&lt;b&gt;&amp;") && svg.contains("use &quot;now&quot;"))
        #expect(!svg.contains("<b>"))
        #expect(svg.components(separatedBy: "<rect").count == 2)
    }
}
