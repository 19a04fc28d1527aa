import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// A page's notice travels in a cookie bound to the session (issue 14): a crafted link can no
/// longer put a made-up message on a real page.
@Suite("Web: notices after a form")
struct WebNoticeTests {
    static let csrf = String(repeating: "ab", count: 32)

    @Test func aNoticeReadsBackOnlyForTheSessionItWasMadeFor() throws {
        let set = WebNotice.setCookie("User ann created.", csrf: Self.csrf, secure: false)
        #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/web") && set.contains("Max-Age=60"))
        #expect(!set.contains("Secure"))
        #expect(WebNotice.setCookie("x", csrf: Self.csrf, secure: true).hasSuffix("; Secure"))
        let value = String(set.dropFirst(WebNotice.cookieName.count + 1).prefix { $0 != ";" })
        #expect(WebNotice.read(value, csrf: Self.csrf) == "User ann created.")
        #expect(WebNotice.read(value, csrf: String(repeating: "cd", count: 32)) == nil, "another session's notice")
    }

    @Test func aForgedOrDamagedCookieIsIgnored() {
        let made = Hex.encode(Array("Your account is locked: call 555-0100".utf8))
        for value in [made, made + ".", made + "." + String(repeating: "00", count: 32), "zz.zz", "", "." + made] {
            #expect(WebNotice.read(value, csrf: Self.csrf) == nil, "\(value)")
        }
    }

    @Test func aLongNoticeIsCutToFitACookie() throws {
        let set = WebNotice.setCookie(String(repeating: "é", count: 2_000), csrf: Self.csrf, secure: false)
        let value = String(set.dropFirst(WebNotice.cookieName.count + 1).prefix { $0 != ";" })
        let read = try #require(WebNotice.read(value, csrf: Self.csrf))
        #expect(read.utf8.count <= 1_000 && read.allSatisfy { $0 == "é" })
    }

    @Test func aNoticeIsShownOnceAfterTheFormAndNeverFromALink() async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            // A crafted link: the query string is not a channel for messages any more.
            let crafted = String(buffer: try await ada.get("/web/admin/users?notice=Your%20account%20is%20locked&problem=Call%20555").body)
            #expect(!crafted.contains("Your account is locked") && !crafted.contains("Call 555"))

            try await ada.get("/web/admin/users/alice")
            let set = try await ada.post("/web/admin/users/alice/roles", [("role", "employee"), ("role", "approver")])
            #expect(set.headers[.location]?.contains("notice") == false, "\(set.headers[.location] ?? "")")
            #expect(try await ada.notice(after: set)?.hasPrefix("Roles set") == true)
            // Shown once: the cookie was cleared by the page that showed it.
            #expect(ada.cookies[WebNotice.cookieName] == nil)
            #expect(!String(buffer: try await ada.get("/web/admin/users/alice").body).contains("Roles set"))

            // Another person's session does not show a notice made for Ada's.
            let set2 = try await ada.post("/web/admin/users/alice/roles", [("role", "employee")])
            let cookie = try #require(set2.headers[values: .setCookie].first { $0.hasPrefix(WebNotice.cookieName + "=") })
            let aude = PageSession(client)
            _ = try await aude.login("aude", "aude-password")
            aude.cookies[WebNotice.cookieName] = String(cookie.dropFirst(WebNotice.cookieName.count + 1).prefix { $0 != ";" })
            #expect(!String(buffer: try await aude.get("/web").body).contains("Roles set"))
        }
    }
}
