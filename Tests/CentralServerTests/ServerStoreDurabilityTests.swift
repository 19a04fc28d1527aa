import Foundation
import GRDB
import Testing
@testable import CentralServer

/// Issue 13: the server acknowledges an event batch once it is committed, and the agent then
/// forgets it; the commit must survive a power cut, so every connection syncs the WAL at commit.
@Suite("Server store: durable commits")
struct ServerStoreDurabilityTests {
    @Test func everyConnectionCommitsWithSynchronousFull() async throws {
        let server = try TestServer()
        let store = try #require(server.store as? SQLiteServerStore)
        // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        #expect(try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        #expect(try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    }
}
