import Foundation
import Testing
@testable import CentralServer

/// Every template parses (loading them all is the parse) and renders with sample data: the
/// sample's values show up, no `{{` is left over, and whole pages are whole HTML documents.
@Suite("Web templates")
struct WebTemplateTests {
    static var table: [String: Any] { [
        "columns": [["title": "User", "numeric": false, "link": "/web/x?sort=user", "arrow": "▲"]],
        "rows": [["cells": [["text": "sample-cell", "numeric": false, "link": "/web/sample-link"]]]],
        "empty": false, "total": 1, "page": 1, "pages": 2, "filter": "", "path": "/web/x", "csv": "/web/x?format=csv",
        "hidden": [["name": "by", "value": "user"]], "next": "/web/x?page=2",
    ] }
    static var balance: [String: Any] { [
        "limit": "200 pages", "adjustment": "20 pages", "second": "220 pages", "used": "sample-used", "remaining": "120 pages",
        "paid": "0 pages", "percent": 45, "period": "2026-11-01 to 2026-12-01", "near": false,
    ] }

    /// Values every page may use, and a marker per template that must appear once rendered.
    static var sample: [String: Any] { [
        "title": "sample-title", "csrf": "sample-csrf", "hasNav": true,
        "me": ["id": "alice", "name": "Alice", "roles": "employee"],
        "nav": [["path": "/web", "label": "Dashboard", "current": true]],
        "notice": "sample-notice", "message": "sample-message", "status": 403, "next": "/web", "account": "alice",
        "table": table, "balance": balance, "intro": "sample-intro",
        "approvals": ["count": 2, "waitingOnMe": 1, "hasWaitingOnMe": true, "items": [["id": "sa-1", "applicant": "bob", "seal": "seal-1", "waiting": "arthur"]]],
        "devices": ["items": [["id": "copier-9", "name": "Copier", "problems": "sample-offline"]], "none": false],
        "near": ["items": [["id": "bob", "percent": 91, "used": "91 pages", "limit": "100 pages"]], "none": false],
        "integrity": ["items": [], "none": true, "auditOK": true, "audit": "sample-chain"],
        "mine": ["applications": 1, "shares": 2],
        "chart": "<svg class=\"chart\"><title>sample-chart</title></svg>", "chartTitle": "sample-chart-title", "total": 42,
        "groupings": [["name": "user", "selected": true]], "ranges": [["name": "month", "selected": true]], "key": "", "everyone": true,
        "seals": [["id": "seal-1", "device": "Box"]], "approvers": [["id": "arthur", "name": "Arthur"]], "noSeal": false,
        "id": "sample-id", "applicant": "alice", "seal": "seal-1", "reason": "sample-reason", "status_text": "approved",
        "uses": 2, "usesMade": 1, "usesRemaining": 1, "photos": 1, "cc": "",
        "steps": [["at": "2026-11-21 10:00", "actor": "user:alice", "action": "sample-step", "note": ""]],
        "records": [["at": "2026-11-21 11:00", "user": "alice", "device": "box", "place": "sample-place", "number": "1", "remaining": "1", "flagged": "", "photos": [["src": "/web/blobs/ab"]]]],
        "noRecords": false, "canDecide": true, "canRevoke": true,
        "shares": [["job": "sj-1", "title": "sample-share", "requester": "bob", "part": 1, "pages": "1-2", "copies": 1, "percent": 50, "state": "requesting", "deadline": "", "amount": "1.00 EUR", "needsPIN": true, "canAnswer": false, "payer": "alice"]],
        "none": false, "open": [["id": "sa-2", "applicant": "bob", "seal": "seal-1", "remaining": 3]], "noOpen": false,
        "verified": true, "verdict": "sample-verdict", "findings": [["text": "ok"]], "json": "/api/v1/bills/b", "account_text": "",
        "users": "alice", "from": "2026-11-01", "to": "2026-12-01", "issued": "2026-12-01", "amount": "sample-amount", "usageHash": "00",
        "lines": [["device": "copier-1", "sequence": 3, "user": "alice", "ended": "", "paper": "A4", "pages": 1, "copies": 1, "colour": 0, "mono": 1, "amount": "0.05"]],
        "corrects": "", "user": "alice", "device": "copier-1", "started": "", "ended": "", "paper": "A4", "colour": "mono", "pages": 1, "copies": 1,
        "content": [["page": 1, "held": true, "src": "/web/blobs/cd?job=j", "size": 10, "type": "image/png"]], "noContent": false,
        "count": 3, "verification": ["ok": true, "text": "sample-verification"],
        "roles": [["name": "employee"]], "name": "Alice", "department": "sales", "active": true, "cards": [["number": "0042"]], "hasPIN": true, "hasPassword": true,
        "roleChoices": [["name": "approver", "held": true]],
        "quota": ["limit": 200, "adjustment": 20, "period": "monthly", "unit": "pages", "isMoney": false],
        "made": ["token": "sample-token", "expires": "tomorrow"],
        "images": [["id": "7", "model": "copier", "version": "sample-fw-version", "minimum": "1.0.0", "size": "200 KiB", "sha256": "ab", "uploaded": "", "by": "ada"]],
        "hasImages": true, "hasDevices": true,
        "deviceChoices": [["id": "copier-1", "name": "Copier", "firmware": "1.0.0", "resources": "copier"]],
        "image": "#7 copier 1.1.0", "created": "2026-11-21 10:00", "by": "ada", "summary": "sample-rollout-summary", "finished": false,
        "reports": [["device": "copier-1", "items": [["at": "", "state": "trial", "received": "1 KiB of 1 KiB (100%)", "message": "sample-report"]]]],
    ] }

    static let markers: [String: String] = [
        "header": "sample-title", "footer": "audit log", "table": "sample-cell", "balance": "sample-used", "login": "sample-csrf",
        "error": "sample-message", "list": "sample-intro", "me": "sample-used", "dashboard": "sample-offline", "usage": "sample-chart-title",
        "applications": "seal-1", "application": "sample-step", "inbox": "sa-2", "shares": "sample-share", "bills": "sample-cell",
        "bill": "sample-verdict", "job": "/web/blobs/cd?job=j", "audit-log": "sample-verification", "admin-users": "employee",
        "admin-user": "0042", "admin-prices": "Set a price", "admin-tokens": "sample-token",
        "firmware": "sample-fw-version", "firmware-rollout": "sample-report",
    ]

    static let partials: Set<String> = ["header", "footer", "table", "balance"]

    @Test func everyTemplateLoadsAndHasAMarker() throws {
        let renderer = try WebRenderer.bundled()
        #expect(Set(renderer.names) == Set(Self.markers.keys), "a template without a rendering check, or a check without a template")
    }

    @Test(arguments: markers.keys.sorted())
    func rendersWithSampleData(_ name: String) throws {
        let renderer = try WebRenderer.bundled()
        // The table and balance partials render inside their own section (`{{#table}}{{> table}}{{/table}}`).
        let data = ["table", "balance"].contains(name) ? Self.sample.merging(Self.sample[name] as! [String: Any]) { $1 } : Self.sample
        let html = try renderer.render(name, data)
        #expect(html.contains(Self.markers[name]!), "\(name) did not show its sample value")
        #expect(!html.contains("{{") && !html.contains("}}"), "\(name) left a tag unrendered")
        if !Self.partials.contains(name) {
            #expect(html.hasPrefix("<!doctype html>") && html.contains("</html>"), "\(name) is not a whole page")
            // Every form that posts carries the CSRF token.
            let posts = html.components(separatedBy: "method=\"post\"").count - 1
            let tokens = html.components(separatedBy: "name=\"csrf\" value=\"sample-csrf\"").count - 1
            #expect(posts == tokens, "\(name): \(posts) posting forms but \(tokens) CSRF fields")
        }
        // Values are HTML-escaped.
        var hostile = data
        hostile["title"] = "<script>x</script>"
        #expect(!(try renderer.render(name, hostile)).contains("<script>x"))
    }

    @Test func aTemplateThatDoesNotParseIsAnErrorNamingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("web-templates-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<p>{{#open}}never closed</p>".write(to: folder.appendingPathComponent("broken.mustache"), atomically: true, encoding: .utf8)
        do {
            _ = try WebRenderer(directory: folder.path)
            Issue.record("a broken template loaded")
        } catch let error as WebRenderer.LoadError {
            #expect(error.description.contains("broken.mustache"))
        }
    }

    @Test func anUnknownTemplateIsAnError() throws {
        #expect(throws: WebRenderer.LoadError.self) { try WebRenderer.bundled().render("no-such-page", [:]) }
    }

    /// An optional boxed in `Any` printed "nil" on the bill page ("Corrects nil") before the
    /// renderer unwrapped them: a nil hides its section and shows nothing, at any depth.
    @Test func nilOptionalsShowNothingAndHideTheirSections() throws {
        let none: String? = nil
        let some: String? = "bill-000007"
        var data = Self.sample
        data["corrects"] = none as Any
        data["steps"] = [["at": "2026-11-21 10:00", "actor": "user:alice", "action": "sample-step", "note": none as Any]]
        let renderer = try WebRenderer.bundled()
        let bill = try renderer.render("bill", data)
        #expect(!bill.contains("nil") && !bill.contains("Corrects"))
        data["corrects"] = some as Any
        #expect(try renderer.render("bill", data).contains("<dt>Corrects</dt><dd>bill-000007</dd>"))
        let nested = WebRenderer.withoutNils(["a": ["b": none as Any, "c": some as Any], "list": [none as Any, 1]] as [String: Any]) as? [String: Any]
        #expect((nested?["a"] as? [String: Any])?.keys.sorted() == ["c"])
        #expect((nested?["a"] as? [String: Any])?["c"] as? String == "bill-000007")
        #expect((nested?["list"] as? [Any])?.count == 1)
    }
}
