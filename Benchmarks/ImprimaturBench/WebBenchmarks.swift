import CentralServer
import Foundation
import Protocol

/// Figures for the web pages (issue 7): the pure table, chart and CSV work a page does, on a
/// year of a busy office (100,000 jobs), and rendering a page of 25 rows through the templates.
enum WebBenchmarks {
    static func run() throws {
        print("== Web pages (100,000 rows)")
        let users = (0..<200).map { "user-\($0)" }
        let rows = (0..<100_000).map { index in
            WebTable.Row(
                ["copier-\(index % 12):\(index)", "2026-\(10 + index % 2)-\(10 + index % 18) 12:00", users[index % users.count], "copier-\(index % 12)", "A4",
                 index % 4 == 0 ? "colour" : "mono", "\(1 + index % 40)", "\(1 + index % 3)"],
                link: "/web/audit/jobs/\(index)"
            )
        }
        let table = WebTable(columns: [
            .init("id", "Job"), .init("ended", "Ended"), .init("user", "User"), .init("device", "Device"), .init("paper", "Paper"),
            .init("colour", "Colour"), .init("pages", "Pages", numeric: true), .init("copies", "Copies", numeric: true),
        ], rows: rows)
        report("table page: filter 100k rows", rate(seconds: 1) { _ = table.page(TableQuery(filter: "user-17")) }, "pages/s")
        report("table page: sort 100k rows by a number", rate(seconds: 2) { _ = table.page(TableQuery(sort: "pages", descending: true)) }, "pages/s")
        var csv = ""
        let csvTime = time { csv = table.csv(TableQuery()) }
        report("CSV export of 100k rows", csvTime.seconds * 1000, "ms", note: "\(csv.utf8.count / 1024) KiB")

        let now = Timestamp(millisecondsSinceEpoch: 1_795_262_400_000)
        let points = (0..<100_000).map { index in
            UsagePoint(at: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - Int64(index) * 315_000), user: users[index % users.count],
                       department: "dept-\(index % 9)", device: "copier-\(index % 12)", pages: Int64(1 + index % 40))
        }
        report("use chart: year of 100k jobs to SVG", rate(seconds: 1) {
            let buckets = UsageSeries.buckets(points, range: .year, now: now)
            _ = BarChartSVG.svg(buckets.map { .init(label: $0.label, value: $0.total) }, title: "year")
        }, "charts/s")

        let renderer = try WebRenderer.bundled()
        let page: [String: Any] = [
            "title": "Jobs", "csrf": String(repeating: "a", count: 64), "hasNav": true,
            "me": ["id": "aude", "name": "Aude Auditor", "roles": "auditor"],
            "nav": [["path": "/web", "label": "Dashboard", "current": true]],
            "table": [
                "columns": table.columns.map { ["title": $0.title, "numeric": $0.numeric, "link": "/web/audit/jobs?sort=\($0.key)", "arrow": ""] as [String: Any] },
                "rows": rows.prefix(25).map { row in ["cells": row.cells.map { ["text": $0, "numeric": false] as [String: Any] }] as [String: Any] },
                "empty": false, "total": rows.count, "page": 1, "pages": 4000, "filter": "", "path": "/web/audit/jobs", "csv": "/web/audit/jobs?format=csv", "hidden": [],
            ] as [String: Any],
        ]
        var html = ""
        report("render a 25-row table page (templates)", rate(seconds: 1) { html = (try? renderer.render("list", page)) ?? "" }, "pages/s", note: "\(html.utf8.count / 1024) KiB")
    }
}
