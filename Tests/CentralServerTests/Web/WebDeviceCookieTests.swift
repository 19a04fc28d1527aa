import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 8: one client's wrong passwords locked its whole address, so everyone behind
/// it (an office behind one NAT address) was locked out; and anyone could lock an account's
/// owner out. A browser that has logged in as a person before carries a signed device cookie
/// and is judged by its own failures only. In-process, every client comes from one address.
@Suite("Web: device cookies against lockouts by others")
struct WebDeviceCookieTests {
    static let key = SigningKey()
    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    @Test func aCookieVerifiesOnlyAsSignedAndWithinItsLifetime() throws {
        let value = WebDeviceCookie.value(user: try UserID("alice"), issued: Self.now, nonce: Array(repeating: 7, count: 16), key: Self.key)
        let device = try #require(WebDeviceCookie.verify(value, keys: [Self.key.publicKey], now: Self.now))
        #expect(device.user.value == "alice" && device.id == String(repeating: "07", count: 16))
        #expect(WebDeviceCookie.verify(value, keys: [SigningKey().publicKey], now: Self.now) == nil, "another server's key")
        let later = Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + WebDeviceCookie.lifetime)
        #expect(WebDeviceCookie.verify(value, keys: [Self.key.publicKey], now: later) == nil, "expired")
        // The user id changed to another's ("alice" → "alicf"), the signature kept.
        let forged = Hex.encode(Array("alicf".utf8)) + value.dropFirst(10)
        #expect(WebDeviceCookie.verify(forged, keys: [Self.key.publicKey], now: Self.now) == nil, "\(forged)")
        for broken in ["", ".", "zz.zz", value + "00", String(value.dropLast(2))] {
            #expect(WebDeviceCookie.verify(broken, keys: [Self.key.publicKey], now: Self.now) == nil, "\(broken)")
        }
    }

    @Test func anAddressLockedBySprayingStillLetsInABrowserThatLoggedInBefore() async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let alice = PageSession(client)
            #expect(try await alice.login("alice", "alice-password").status == .seeOther)
            #expect(alice.cookies[WebDeviceCookie.name] != nil, "a right password leaves a device cookie")
            try await alice.post("/web/logout", [])
            // Someone at the same address tries one password against twenty accounts.
            let sprayer = PageSession(client)
            for index in 1...20 { _ = try await sprayer.login("someone-\(index)", "guess") }
            #expect(try await PageSession(client).login("ada", "ada-password").status == .tooManyRequests, "a new browser there is held back")
            #expect(try await alice.login("alice", "alice-password").status == .seeOther, "Alice's own browser is not")
        }
    }

    @Test func anAccountRunUpBySomeoneElseStillLetsInItsOwnersBrowser() async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let alice = PageSession(client)
            #expect(try await alice.login("alice", "alice-password").status == .seeOther)
            try await alice.post("/web/logout", [])
            let attacker = PageSession(client)
            for attempt in 1...5 { _ = try await attacker.login("alice", "wrong-\(attempt)") }
            #expect(try await attacker.login("alice", "alice-password").status == .tooManyRequests, "the account is locked for others")
            #expect(try await alice.login("alice", "alice-password").status == .seeOther, "not for the browser Alice used before")
            try await alice.post("/web/logout", [])
            // Its own wrong passwords lock that browser like any other.
            for attempt in 1...5 { _ = try await alice.login("alice", "typo-\(attempt)") }
            #expect(try await alice.login("alice", "alice-password").status == .tooManyRequests)
        }
    }

    @Test func aCookieForSomeoneElseIsNotHonoured() async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let browser = PageSession(client)
            #expect(try await browser.login("ada", "ada-password").status == .seeOther)
            try await browser.post("/web/logout", [])
            let attacker = PageSession(client)
            for attempt in 1...5 { _ = try await attacker.login("alice", "wrong-\(attempt)") }
            #expect(try await browser.login("alice", "alice-password").status == .tooManyRequests, "Ada's browser cookie does not speak for Alice")
        }
    }
}
