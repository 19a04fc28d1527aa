import Foundation
import Protocol
import Testing
@testable import DeviceAgent

/// The store's part in crash-proof copier sessions (issue 13): sessions written ahead, one
/// event per copier job, and limit grants that count what the server has not acknowledged.
@Suite("Agent store: copier sessions and job identity")
struct AgentStoreSessionTests {
    static let t0 = StoreFixture.t0
    static let copier = try! ResourceID("copier")

    static func session(_ tag: UInt32, budget: UInt32 = 20) -> DurableCopierSession {
        DurableCopierSession(tag: tag, user: StoreFixture.alice, grantID: StoreFixture.grantID, offline: false,
                             pageBudget: budget, jobAtOpen: 41, openedAt: t0)
    }

    @Test func aSessionWrittenAheadOutlivesTheProcessUntilItsCloseIsStored() async throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        try await store.appendSessionOpened(Self.session(7), resource: Self.copier, at: Self.t0)
        try await store.appendSessionOpened(Self.session(8), resource: Self.copier, at: Self.t0.adding(seconds: 1))
        try store.close()  // as after a kill: nothing but what was committed

        store = try fixture.open()
        #expect(try store.openCopierSessions().map(\.tag) == [7, 8])
        let seven = try #require(try store.copierSession(tag: 7))
        #expect(seven == Self.session(7), "every field as written")
        try await store.appendSessionClosed(seven, reason: .agentRestart, resource: Self.copier, at: Self.t0.adding(seconds: 2))
        #expect(try store.openCopierSessions().map(\.tag) == [8])
        #expect(try store.copierSession(tag: 7)?.closed == true)
        #expect(try store.copierSession(tag: 9) == nil)
        // The open and close are events of the chain too, in the order they were written.
        let sessions = try store.unacknowledged(limit: 10).compactMap { event -> UInt64? in
            if case let .session(body) = event.body { return body.sessionID } else { return nil }
        }
        #expect(sessions == [7, 8, 7])
        try store.close()
    }

    @Test func aCopierJobIsStoredOnceWhoeverReadsItAgain() async throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        try await store.appendJob(StoreFixture.copyJob(5, session: 3), copierJobSequence: 5, at: Self.t0)
        await #expect(throws: AgentStoreError.duplicateCopierJob(sessionTag: 3, sequence: 5)) {
            try await store.appendJob(StoreFixture.copyJob(5, session: 3), copierJobSequence: 5, at: Self.t0.adding(seconds: 1))
        }
        // The same number under another session is another job (a replaced controller restarts
        // its counter; its jobs run under new tags).
        try await store.appendJob(StoreFixture.copyJob(5, session: 4), copierJobSequence: 5, at: Self.t0.adding(seconds: 2))
        #expect(try store.holdsCopierJob(sessionTag: 3, sequence: 5))
        #expect(try !store.holdsCopierJob(sessionTag: 3, sequence: 6))
        try store.close()

        store = try fixture.open()
        await #expect(throws: AgentStoreError.duplicateCopierJob(sessionTag: 4, sequence: 5)) {
            try await store.appendJob(StoreFixture.copyJob(5, session: 4), copierJobSequence: 5, at: Self.t0.adding(seconds: 3))
        }
        let jobs = try store.unacknowledged(limit: 10).filter { if case .copyJob = $0.body { true } else { false } }
        #expect(jobs.count == 2)
        try store.close()
    }

    @Test func twoReadersOfTheSameJobInOneGroupCommitStoreItOnce() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        // Both appends race into the same batch; exactly one may win.
        async let first: Bool = Self.stored(StoreFixture.copyJob(9, session: 2), in: store)
        async let second: Bool = Self.stored(StoreFixture.copyJob(9, session: 2), in: store)
        let outcomes = await [first, second]
        #expect(outcomes.filter { $0 }.count == 1, "\(outcomes)")
        #expect(try store.unacknowledged(limit: 10).count == 1)
        try store.close()
    }

    private static func stored(_ body: EventBody, in store: AgentStore) async -> Bool {
        do {
            _ = try await store.appendJob(body, copierJobSequence: 9, at: t0)
            return true
        } catch {
            return false
        }
    }

    @Test func aNewLimitGrantCountsTheJobsTheServerHasNotAcknowledged() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        // Job 1 (12 pages) reached the server; job 2 (7 pages) is still in the outbox, so the
        // server sized the next grant without it.
        let sent = try await store.appendJob(StoreFixture.copyJob(1, pages: 12), copierJobSequence: 1, at: Self.t0)
        try store.acknowledge(upTo: sent.sequence)
        try await store.appendJob(StoreFixture.copyJob(2, pages: 7), copierJobSequence: 2, at: Self.t0.adding(seconds: 1))
        let token = try AgentStoreGrantTests.limitToken(id: 77, available: 30, issuedAt: Self.t0.adding(seconds: 5))
        #expect(try store.storeLimitGrant(token: token, for: StoreFixture.alice))
        #expect(try store.usageSince(limitGrantID: GrantID(high: 0, low: 77)) == 7)
        try store.close()
    }
}
