import Foundation
import Logging
import Protocol
import Testing
@testable import CentralServer

/// Dead web sessions and wrong passwords that no longer count are deleted (issue 14), not kept
/// forever; live ones and counted ones stay.
@Suite("Web: the session sweeper")
struct WebSessionSweepTests {
    static func session(_ name: String, created: Int64, lastSeen: Int64) -> WebSession {
        WebSession(idHash: WebSessionPolicy.storedHash(name), userID: Fixture.userID("ada"), csrf: name, source: "test",
                   created: Fixture.now.adding(milliseconds: created), lastSeen: Fixture.now.adding(milliseconds: lastSeen))
    }

    @Test func exactlyTheSessionsPolicyRefusesAreDeleted() async throws {
        let server = try TestServer()
        _ = try await server.admin.createUser(.init(id: "ada", name: "Ada", roles: ["administrator"], password: "ada-password"), by: TestServer.actor)
        let policy = WebSessionPolicy()
        let minute: Int64 = 60_000
        let sessions = [
            Self.session("fresh", created: -minute, lastSeen: -minute),
            Self.session("idle", created: -40 * minute, lastSeen: -policy.idleTimeout),
            Self.session("almost-idle", created: -40 * minute, lastSeen: -policy.idleTimeout + 1),
            Self.session("too-old", created: -policy.lifetime, lastSeen: -minute),
            Self.session("almost-too-old", created: -policy.lifetime + 1, lastSeen: -minute),
        ]
        for session in sessions {
            try await server.store.createWebSession(session, audit: AuditRecord(actor: "test", source: "test", action: "web.login", target: "user:ada", at: Fixture.now))
        }
        let sweeper = WebSessionSweeper(store: server.store, policy: policy, clock: server.clock, logger: Logger(label: "test"))
        let swept = try await sweeper.sweep(now: Fixture.now)
        #expect(swept.sessions == 2)
        for session in sessions {
            let kept = try await server.store.webSession(idHash: session.idHash) != nil
            // The sweep and the check on use agree about every one of them.
            #expect(kept == policy.isLive(created: session.created, lastSeen: session.lastSeen, now: Fixture.now), "\(session.csrf)")
        }
        #expect(try await sweeper.sweep(now: Fixture.now).sessions == 0)
    }

    @Test func wrongPasswordsAreKeptWhileTheyCanCountAndDeletedAfter() async throws {
        let server = try TestServer()
        let day: Int64 = 86_400_000
        try await server.store.recordLoginFailure(account: "ada", source: "10.0.0.9", at: Fixture.now.adding(milliseconds: -day - 1))
        try await server.store.recordLoginFailure(account: "ada", source: "10.0.0.9", at: Fixture.now.adding(milliseconds: -15 * 60_000))
        let sweeper = WebSessionSweeper(store: server.store, policy: WebSessionPolicy(), clock: server.clock, logger: Logger(label: "test"))
        #expect(try await sweeper.sweep(now: Fixture.now).failures == 1)
        let left = try await server.store.loginFailures(source: "10.0.0.9", since: Fixture.now.adding(milliseconds: -2 * day))
        #expect(left == [Fixture.now.adding(milliseconds: -15 * 60_000)])
    }
}
