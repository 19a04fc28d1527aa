import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// A browser's memory for in-process page tests: cookies, and the CSRF token of the last page.
final class PageSession: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf: String?
    /// Sent with every request too (e.g. X-Forwarded-For).
    var extraHeaders: HTTPFields = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func get(_ path: String) async throws -> TestResponse {
        let response = try await client.execute(uri: path, method: .get, headers: cookieHeaders(), body: nil)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], withCSRF: Bool = true) async throws -> TestResponse {
        var all = fields
        if withCSRF, let csrf { all.append(("csrf", csrf)) }
        var headers = cookieHeaders()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = all.map { "\(TableQuery.escape($0.0))=\(TableQuery.escape($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    func login(_ user: String, _ password: String) async throws -> TestResponse {
        try await get("/web/login")
        return try await post("/web/login", [("user", user), ("password", password)])
    }

    /// Follows the redirect a form answered with, as a browser does, and returns the notice the
    /// page shows (HTML entities left as they are), or nil when it shows none.
    func notice(after answer: TestResponse) async throws -> String? {
        let page = String(buffer: try await get(answer.headers[.location] ?? "/web").body)
        guard let start = page.range(of: #"id="notice">"#), let end = page[start.upperBound...].range(of: "</p>") else { return nil }
        return String(page[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&#39;", with: "'")
    }

    private func cookieHeaders() -> HTTPFields {
        var headers = extraHeaders
        if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return headers
    }

    private func remember(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            if value.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        let text = String(buffer: response.body)
        if let range = text.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) {
            csrf = String(text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }
}

@Suite("Web pages in process: login, lockout, CSRF, roles")
struct WebPagesTests {
    static func server() async throws -> TestServer {
        let server = try TestServer()
        _ = try await server.admin.createUser(.init(id: "ada", name: "Ada Admin", roles: ["administrator"], password: "ada-password"), by: TestServer.actor)
        _ = try await server.admin.createUser(.init(id: "alice", name: "Alice Employee", department: "sales", roles: ["employee"], pin: "1234", password: "alice-password"), by: TestServer.actor)
        _ = try await server.admin.createUser(.init(id: "aude", name: "Aude Auditor", roles: ["auditor"], password: "aude-password"), by: TestServer.actor)
        try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
        try await server.admin.setQuota(user: "alice", limit: 1000, unit: "money", currency: "EUR", adjustment: 0, period: "monthly", by: TestServer.actor)
        return server
    }

    @Test func aLoginSetsASafeSessionCookieAndIsAudited() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let browser = PageSession(client)
            let login = try await browser.get("/web/login")
            #expect(login.status == .ok)
            let answer = try await browser.post("/web/login", [("user", "alice"), ("password", "alice-password")])
            #expect(answer.status == .seeOther)
            let cookie = answer.headers[values: .setCookie].first { $0.hasPrefix("imprimatur_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let dashboard = try await browser.get("/web")
            #expect(dashboard.status == .ok)
            #expect(String(buffer: dashboard.body).contains("Alice Employee"))
            #expect(dashboard.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        }
        let actions = try await server.store.auditEntries(after: 0, limit: 100).map(\.record.action)
        #expect(actions.contains("web.login"))
    }

    @Test func anUnknownAccountGetsTheSameAnswerAsAWrongPassword() async throws {
        let server = try await Self.server()
        // The stand-in hash is a real bcrypt hash, so an unknown account costs a real check.
        #expect(WebApp.unknownAccountHash.hasPrefix("$2b$12$"))
        #expect(await Secrets.bcryptVerify("imprimatur-no-such-user", hash: WebApp.unknownAccountHash))
        #expect(await Secrets.bcryptVerify("anything", hash: WebApp.unknownAccountHash) == false)
        try await server.http { client in
            let unknown = try await PageSession(client).login("nobody", "secret")
            let wrong = try await PageSession(client).login("alice", "secret")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(String(buffer: unknown.body).contains("Wrong user or password."))
        }
    }

    @Test func withoutASessionAPageSendsYouToLogIn() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let answer = try await PageSession(client).get("/web/inbox")
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/web/login?next=%2Fweb%2Finbox")
        }
    }

    @Test func fiveWrongPasswordsLockTheAccountEvenForTheRightOne() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let browser = PageSession(client)
            for attempt in 1...4 {
                let answer = try await browser.login("alice", "wrong-\(attempt)")
                #expect(answer.status == .unauthorized)
                #expect(String(buffer: answer.body).contains("Wrong user or password"))
            }
            let fifth = try await browser.login("alice", "wrong-5")
            #expect(fifth.status == .tooManyRequests)
            #expect(String(buffer: fifth.body).contains("Locked"))
            let right = try await browser.login("alice", "alice-password")
            #expect(right.status == .tooManyRequests)
            #expect(browser.cookies["imprimatur_session"] == nil)
            // The same person typed as the display name is locked too (issue 21: it logged in).
            let renamed = PageSession(client)
            #expect(try await renamed.login("Alice Employee", "alice-password").status == .tooManyRequests)
            #expect(renamed.cookies["imprimatur_session"] == nil)
            // Another account from elsewhere is not locked by Alice's.
            #expect(try await PageSession(client).login("ada", "ada-password").status == .seeOther)
        }
        let kinds = try await server.store.securityEvents(limit: 50).map(\.kind)
        #expect(kinds.filter { $0 == "web login failed" }.count == 5)
        #expect(kinds.contains("web login lockout") && kinds.contains("web login refused (locked)"))
        #expect(try await server.store.auditEntries(after: 0, limit: 100).contains { $0.record.action == "web.lockout" && $0.record.target == "account:alice" })
        // After the window the right password works again.
        server.clock.advance(milliseconds: 16 * 60_000)
        try await server.http { client in
            let answer = try await PageSession(client).login("alice", "alice-password")
            #expect(answer.status == .seeOther)
        }
    }

    @Test func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let browser = PageSession(client)
            #expect(try await browser.login("ada", "ada-password").status == .seeOther)
            try await browser.get("/web/admin/prices")
            let refused = try await browser.post("/web/admin/prices", [("paper", "A3"), ("colour", "mono"), ("price", "9"), ("currency", "EUR")], withCSRF: false)
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("CSRF"))
            let wrong = try await browser.post("/web/admin/prices", [("paper", "A3"), ("colour", "mono"), ("price", "9"), ("currency", "EUR"), ("csrf", String(repeating: "0", count: 64))], withCSRF: false)
            #expect(wrong.status == .forbidden)
            #expect(try await server.store.prices().count == 1)
            let accepted = try await browser.post("/web/admin/prices", [("paper", "A3"), ("colour", "mono"), ("price", "9"), ("currency", "EUR")])
            #expect(accepted.status == .seeOther)
            #expect(try await server.store.prices().count == 2)
            // The login form has its own token too.
            let anonymous = PageSession(client)
            try await anonymous.get("/web/login")
            #expect(try await anonymous.post("/web/login", [("user", "ada"), ("password", "ada-password")], withCSRF: false).status == .forbidden)
        }
    }

    @Test func eachRoleSeesOnlyItsOwnPages() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let alice = PageSession(client)
            _ = try await alice.login("alice", "alice-password")
            for path in ["/web/audit/jobs", "/web/audit/log", "/web/admin/users", "/web/admin/devices", "/web/inbox"] {
                let answer = try await alice.get(path)
                #expect(answer.status == .forbidden, "\(path)")
                #expect(String(buffer: answer.body).contains("this page is for the role"))
            }
            #expect(try await alice.get("/web/me").status == .ok)
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            #expect(try await ada.get("/web/audit/jobs").status == .forbidden)
            #expect(try await ada.get("/web/me").status == .forbidden)
            #expect(try await ada.get("/web/admin/users").status == .ok)
            let aude = PageSession(client)
            _ = try await aude.login("aude", "aude-password")
            #expect(try await aude.get("/web/audit/log?verify=1").status == .ok)
            #expect(String(buffer: try await aude.get("/web/audit/log?verify=1").body).contains("intact"))
            #expect(try await aude.get("/web/admin/users").status == .forbidden)
        }
    }

    @Test func aPaymentByTheAdministratorShowsInTheUsersBalance() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            try await ada.get("/web/admin/users/alice")
            let paid = try await ada.post("/web/admin/users/alice/payment", [("amount", "250"), ("currency", "EUR"), ("note", "cash")])
            #expect(paid.status == .seeOther)
            #expect(try await ada.notice(after: paid)?.hasPrefix("Payment") == true)
            let alice = PageSession(client)
            _ = try await alice.login("alice", "alice-password")
            let me = String(buffer: try await alice.get("/web/me").body)
            #expect(me.contains("12.50 EUR"), "limit 10.00 + 2.50 paid left")
        }
        #expect(try await server.store.auditEntries(after: 0, limit: 100).contains { $0.record.action == "quota.payment" && $0.record.actor == "user:ada" })
    }

    @Test func anAdministratorGivesARoleAndThePersonGetsItsPages() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let alice = PageSession(client)
            _ = try await alice.login("alice", "alice-password")
            #expect(try await alice.get("/web/inbox").status == .forbidden)
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            try await ada.get("/web/admin/users/alice")
            let set = try await ada.post("/web/admin/users/alice/roles", [("role", "employee"), ("role", "approver")])
            #expect(try await ada.notice(after: set)?.hasPrefix("Roles set") == true)
            #expect(try await alice.get("/web/inbox").status == .ok)
            // Not their own administrator role: the server would have nobody to manage it.
            let own = try await ada.post("/web/admin/users/ada/roles", [("role", "auditor")])
            #expect(try await ada.notice(after: own)?.contains("administrator role from yourself") == true)
        }
        #expect(try await server.store.user(id: try UserID("alice"))?.roles == [.employee, .approver])
        #expect(try await server.store.user(id: try UserID("ada"))?.roles == [.administrator])
        #expect(try await server.store.auditEntries(after: 0, limit: 100).contains { $0.record.action == "user.set-roles" && $0.record.details["roles"] == "approver,employee" })
    }

    @Test func aBadFormValueComesBackAsAMessageNotAnError() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            try await ada.get("/web/admin/users/alice")
            let answer = try await ada.post("/web/admin/users/alice/payment", [("amount", "lots")])
            #expect(answer.status == .seeOther)
            let back = try await ada.get(answer.headers[.location] ?? "/web")
            #expect(String(buffer: back.body).contains("Not done: the field amount must be a whole number"))
        }
    }

    @Test func tablesExportTheirFilteredRowsAsCSV() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            let page = String(buffer: try await ada.get("/web/admin/users").body)
            #expect(page.contains("name=\"q\" value=\"\""), "an empty filter box")
            #expect(!page.contains("\"nil\"") && !page.contains(">nil<"))
            let filtered = String(buffer: try await ada.get("/web/admin/users?q=sales").body)
            #expect(filtered.contains("name=\"q\" value=\"sales\"") && filtered.contains("1 row(s)"))
            let csv = try await ada.get("/web/admin/users?q=sales&format=csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).split(separator: "\r\n")
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("User,Name,Department") == true)
            #expect(lines.last?.hasPrefix("alice,Alice Employee,sales") == true)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let server = try await Self.server()
        try await server.http { client in
            let alice = PageSession(client)
            _ = try await alice.login("alice", "alice-password")
            let old = alice.cookies["imprimatur_session"]
            try await alice.get("/web")
            #expect(try await alice.post("/web/logout", []).status == .seeOther)
            alice.cookies["imprimatur_session"] = old
            #expect(try await alice.get("/web").status == .seeOther)
        }
    }
}
