import Foundation
import GRDB
import Protocol
import TestSupport
import Testing
@testable import CentralServer

/// Migration `v3-ledger` carries the quotas set before limits were ledger entries into the ledger.
@Suite("Ledger migration v3-ledger")
struct LedgerMigrationTests {
    @Test func quotasSetBeforeTheMigrationBecomeTheirFirstLimitAndOverdraftEntries() async throws {
        let directory = try TemporaryDirectory("imprimatur-ledger-migration")
        let path = directory.path + "/server.sqlite"
        // A store as it was before: migrated up to v2, with two quotas and some use.
        let queue = try DatabaseQueue(path: path)
        try SQLiteMigrations.migrator().migrate(queue, upTo: "v2: device logs")
        try await queue.write { db in
            for (id, unit, limit, adjustment) in [("alice", "pages", 500, 100), ("bob", "EUR", 2000, 500)] {
                try db.execute(sql: "INSERT INTO users (id, name, roles, active, created) VALUES (?, ?, 'employee', 1, 0)", arguments: [id, id])
                try db.execute(sql: "INSERT INTO quotas VALUES (?, 'monthly', ?, ?, ?, ?)", arguments: [id, unit, limit, adjustment, Fixture.now.millisecondsSinceEpoch - 1000])
            }
            try db.execute(sql: "INSERT INTO ledger (user_id, at, kind, pages, amount, currency, note, actor) VALUES ('alice', ?, 'use', 450, 0, NULL, '', 'device:x')",
                           arguments: [Fixture.now.millisecondsSinceEpoch])
        }
        try queue.close()

        let store = try SQLiteServerStore(path: path)
        let alice = try #require(try await store.quota(userID: Fixture.userID("alice")))
        let bob = try #require(try await store.quota(userID: Fixture.userID("bob")))
        #expect([alice.firstLimit, alice.adjustment] == [500, 100])
        #expect([bob.firstLimit, bob.adjustment] == [2000, 500])
        let entries = try await store.ledger(userID: Fixture.userID("alice"), limit: 10)
        #expect(entries.map(\.kind) == [.overdraft, .limit, .use])
        #expect(entries.filter { $0.kind != .use }.allSatisfy { $0.actor == "migration:v3-ledger" })
        let state = QuotaLedger.state(
            unit: alice.unit, period: alice.period, entries: try await store.quotaEntries(userID: alice.userID, period: alice.period.period(containing: Fixture.now)),
            at: Fixture.now, policy: .firstLimit
        )
        #expect(state.remaining == 150)
        try await store.close()
    }
}
