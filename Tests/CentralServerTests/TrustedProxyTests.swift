import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// Behind a reverse proxy (issue 14): the client's address comes from X-Forwarded-For only when
/// the connection is from a proxy the operator listed, so lockouts count the client, not the proxy.
@Suite("Trusted proxies and X-Forwarded-For")
struct TrustedProxyTests {
    static let proxies = try! TrustedProxies(["10.0.0.1", "10.0.0.2", "::1"])

    @Test func aTrustedProxyNamesTheRightMostHopThatIsNotAProxy() {
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        // Whatever the client wrote on the left proves nothing; the proxy appended the real peer.
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["1.1.1.1, 203.0.113.7"]) == "203.0.113.7")
        // Two proxies in a row: the first one's view of the client.
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.9, 10.0.0.2"]) == "198.51.100.9")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.9", "10.0.0.2"]) == "198.51.100.9")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.7:5123"]) == "203.0.113.7")
        #expect(Self.proxies.client(peer: "::1", forwardedFor: ["[2001:db8::5]:443"]) == "2001:db8::5")
    }

    @Test func anyoneElsesHeaderIsIgnored() {
        #expect(Self.proxies.client(peer: "203.0.113.7", forwardedFor: ["10.9.9.9"]) == "203.0.113.7")
        #expect(TrustedProxies.none.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.7"]) == "10.0.0.1")
    }

    @Test func aMissingOrBrokenHeaderLeavesTheProxysAddress() {
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: []) == "10.0.0.1")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.7, not-an-address"]) == "10.0.0.1")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["unknown"]) == "10.0.0.1")
    }

    @Test func aProxyThatIsNotAnAddressIsRefused() {
        #expect(throws: TLSError.invalidIPAddress("proxy.example.org")) { try TrustedProxies(["10.0.0.1", "proxy.example.org"]) }
    }

    /// A real connection from 127.0.0.1 (the "proxy"): wrong passwords are counted under the
    /// address it forwards when it is trusted, under its own address when it is not.
    @Test(arguments: [true, false])
    func theLoginLockoutCountsTheForwardedClientOnlyBehindATrustedProxy(trusted: Bool) async throws {
        let server = try TestServer()
        _ = try await server.admin.createUser(.init(id: "alice", name: "Alice", roles: ["employee"], password: "alice-password"), by: TestServer.actor)
        var services = server.services
        if trusted { services.trustedProxies = try TrustedProxies(["127.0.0.1"]) }
        try await ServerRunner.application(services, host: "127.0.0.1", port: 0).test(.live) { client in
            let browser = PageSession(client)
            browser.extraHeaders[HTTPField.Name("X-Forwarded-For")!] = "6.6.6.6, 203.0.113.7"
            _ = try await browser.login("alice", "wrong-password")
        }
        let since = Fixture.now.adding(seconds: -60)
        let forwarded = try await server.store.loginFailures(source: "203.0.113.7", since: since).count
        let direct = try await server.store.loginFailures(source: "127.0.0.1", since: since).count
        #expect(forwarded == (trusted ? 1 : 0))
        #expect(direct == (trusted ? 0 : 1))
        #expect(try await server.store.loginFailures(source: "6.6.6.6", since: since).isEmpty, "the client's own part of the header is never believed")
    }
}
