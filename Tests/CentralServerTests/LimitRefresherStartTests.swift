import Foundation
import Protocol
import Testing
@testable import CentralServer

/// Issue 21, item 4: the limit refresher started after `ledgerChanges(after: .max)` and so saw no
/// payment, adjustment or new limit until the hourly re-issue. It starts at the newest entry now.
@Suite("Limit refresher: where it starts")
struct LimitRefresherStartTests {
    @Test func aPaymentAfterTheStartIsAChangeTheFirstRoundSees() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        try await server.admin.setQuota(user: "alice", limit: 500, unit: "pages", currency: nil, adjustment: 0, period: "monthly", by: TestServer.actor)
        let state = try await LimitRefresher.startingState(server.store, now: Fixture.now)
        #expect(try await server.store.ledgerChanges(after: state.lastLedgerID).users.isEmpty, "what came before is not a change")

        try await server.store.appendLedger(LedgerEntry(userID: Fixture.userID("alice"), at: Fixture.now, kind: .adjustment, pages: 50, actor: "test"), audit: nil)
        let changes = try await server.store.ledgerChanges(after: state.lastLedgerID)
        #expect(changes.users == [Fixture.userID("alice")])
        #expect(changes.lastID > state.lastLedgerID)
    }
}
