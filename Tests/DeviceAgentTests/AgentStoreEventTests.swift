import Foundation
import GRDB
import Protocol
import Testing
@testable import DeviceAgent

@Suite("Agent store: events and outbox")
struct AgentStoreEventTests {
    @Test func eventsSurviveReopenAndTheChainContinues() async throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let first = try await StoreFixture.appendFaults(3, to: store)
        #expect(first.map(\.sequence) == [1, 2, 3])
        #expect(first[0].previousHash == .zero)
        #expect(first[1].previousHash == first[0].hash)
        try store.close()

        store = try fixture.open()
        #expect(store.eventCount == 3)
        #expect(store.lastEvent() == first[2])
        #expect(try store.events(from: 1, limit: 10) == first)
        let fourth = try await store.append(StoreFixture.fault(4), at: StoreFixture.t0)
        #expect(fourth.sequence == 4)
        #expect(fourth.previousHash == first[2].hash)
        #expect(fourth.deviceID == StoreFixture.deviceID)
        let all = try store.events(from: 1, limit: 10)
        #expect(EventChain.verify(all, device: StoreFixture.deviceID) == .ok(head: ChainAnchor(after: fourth)))
        #expect(try store.events(from: 3, limit: 1) == [first[2]])
        #expect(try store.events(from: 5, limit: 10).isEmpty)
        #expect(try store.events(from: 1, limit: 0).isEmpty)
        try store.close()
    }

    @Test func concurrentAppendsAreGroupCommittedIntoOneGapFreeChain() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let returned = Collected<Event>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<125 {
                        let event = try await store.append(StoreFixture.fault(writer * 1000 + index), at: StoreFixture.t0)
                        returned.append(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        let sequences = returned.all.map(\.sequence).sorted()
        #expect(sequences == Array(1...1000))
        let stored = try store.events(from: 1, limit: 2000)
        #expect(stored.count == 1000)
        #expect(EventChain.verify(stored, device: StoreFixture.deviceID) == .ok(head: ChainAnchor(after: stored[999])))
        // Each caller got exactly the event that was stored under its number.
        #expect(Set(returned.all) == Set(stored))
        let statistics = store.commitStatistics
        #expect(statistics.events == 1000)
        #expect(statistics.transactions < 1000, "8 writers should share transactions")
        try store.close()
        // And the committed chain passes the open-time check.
        #expect(fixture.openError() == nil)
    }

    @Test func appendJobStoresTheJobAndTheCopierSequenceTogether() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        #expect(try store.lastSeenCopierJob() == nil)
        try await store.appendJob(StoreFixture.copyJob(41), copierJobSequence: 41, at: StoreFixture.t0)
        try await store.append(StoreFixture.fault(1), at: StoreFixture.t0)
        #expect(try store.lastSeenCopierJob() == 41)
        // A fault recording lost jobs moves lastSeen too; it may go back (a replaced controller).
        try await store.appendJob(StoreFixture.fault(2), copierJobSequence: 7, at: StoreFixture.t0)
        #expect(try store.lastSeenCopierJob() == 7)
        await #expect(throws: AgentStoreError.invalid(what: "event", reason: "the copy job is copier job 9, not 10")) {
            try await store.appendJob(StoreFixture.copyJob(9), copierJobSequence: 10, at: StoreFixture.t0)
        }
        try store.close()
        let reopened = try fixture.open()
        #expect(try reopened.lastSeenCopierJob() == 7)
        #expect(reopened.eventCount == 3)
        try reopened.close()
    }

    @Test func appendJobCountsLimitUsageInTheSameTransaction() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let usage = LimitUsage(user: StoreFixture.alice, limitGrantID: StoreFixture.grantID, amount: 12)
        try await store.appendJob(StoreFixture.copyJob(1), copierJobSequence: 1, usage: usage, at: StoreFixture.t0)
        try await store.appendJob(StoreFixture.copyJob(2), copierJobSequence: 2, usage: usage, at: StoreFixture.t0)
        #expect(try store.usageSince(limitGrantID: StoreFixture.grantID) == 24)
        try store.close()
    }

    @Test func anEventWhoseBytesWouldNotDecodeIsRefusedAndTheChainDoesNotMove() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try await StoreFixture.appendFaults(1, to: store)
        await #expect(throws: AgentStoreError.invalid(what: "event", reason: "its bytes would not decode: invalid timestamp: negative timestamp (-1)")) {
            try await store.append(StoreFixture.fault(2), at: Timestamp(millisecondsSinceEpoch: -1))
        }
        let next = try await store.append(StoreFixture.fault(3), at: StoreFixture.t0)
        #expect(next.sequence == 2)
        try store.close()
    }

    @Test func appendsAfterCloseAreRefused() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try store.close()
        await #expect(throws: AgentStoreError.closed) { try await store.append(StoreFixture.fault(1), at: StoreFixture.t0) }
        #expect(throws: AgentStoreError.closed) { try store.events(from: 1, limit: 1) }
        #expect(throws: AgentStoreError.closed) { try store.makeCheckpoint(at: StoreFixture.t0) }
        try store.close()  // a second close is harmless
    }

    @Test func appendsInFlightAtCloseEitherCommitOrAreRefused() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let outcomes = Collected<Result<Event, AgentStoreError>>()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do throws(AgentStoreError) {
                        outcomes.append(.success(try await store.append(StoreFixture.fault(index), at: StoreFixture.t0)))
                    } catch {
                        outcomes.append(.failure(error))
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(5))
            try? store.close()
        }
        let committed = outcomes.all.compactMap { try? $0.get() }
        let refused = outcomes.all.compactMap { outcome -> AgentStoreError? in
            if case let .failure(error) = outcome { return error }
            return nil
        }
        #expect(committed.count + refused.count == 200)
        #expect(refused.allSatisfy { $0 == .closed })
        let reopened = try fixture.open()
        #expect(Set(try reopened.events(from: 1, limit: 1000)) == Set(committed))
        try reopened.close()
    }

    @Test func anSQLiteFailureSaysWhatTheStoreWasDoing() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.appending("missing/agent.db")
        let error = #expect(throws: AgentStoreError.self) {
            try AgentStore.open(path: path, deviceID: StoreFixture.deviceID, deviceKey: StoreFixture.deviceKey)
        }
        guard case let .sqlite(operation, message)? = error else {
            Issue.record("expected an SQLite error, got \(String(describing: error))")
            return
        }
        #expect(operation == "open \(path)")
        #expect(message.contains("unable to open database file"), "\(message)")
    }

    @Test func theStoreRefusesAnotherDevice() throws {
        let fixture = try StoreFixture()
        try fixture.open().close()
        let other = try DeviceID("copier-4f")
        #expect(throws: AgentStoreError.wrongDevice(stored: StoreFixture.deviceID, given: other)) {
            try AgentStore.open(path: fixture.path, deviceID: other, deviceKey: StoreFixture.deviceKey)
        }
    }

    @Test func theDatabaseIsInWALModeWithFullSynchronousAndForeignKeys() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let (mode, synchronous, foreignKeys) = try store.pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2, "FULL")
        #expect(foreignKeys == 1)
        try store.close()
    }

    // MARK: Outbox

    @Test func theOutboxHandsOutUnacknowledgedEventsAndAcksOnlyMoveForward() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let events = try await StoreFixture.appendFaults(5, to: store)
        #expect(try store.acknowledgedSequence() == 0)
        #expect(try store.unacknowledged(limit: 2) == Array(events[0..<2]))
        try store.acknowledge(upTo: 3)
        #expect(try store.acknowledgedSequence() == 3)
        #expect(try store.unacknowledged(limit: 10) == Array(events[3...]))
        try store.acknowledge(upTo: 1)  // a late, lower ack is ignored
        #expect(try store.acknowledgedSequence() == 3)
        #expect(throws: AgentStoreError.ackBeyondEnd(ack: 6, last: 5)) { try store.acknowledge(upTo: 6) }
        try store.acknowledge(upTo: 5)
        #expect(try store.unacknowledged(limit: 10).isEmpty)
        // Nothing is deleted on ack.
        #expect(try store.events(from: 1, limit: 10) == events)
        try store.close()
        let reopened = try fixture.open()
        #expect(try reopened.acknowledgedSequence() == 5)
        #expect(reopened.eventCount == 5)
        try reopened.close()
    }

    @Test func errorsSayWhatAndWhere() {
        #expect(AgentStoreError.ackBeyondEnd(ack: 6, last: 5).description == "acknowledgement up to event 6 is beyond the last event 5")
        #expect(AgentStoreError.damaged(.eventHashMismatch(sequence: 7)).description
            == "agent store damaged: table events, event 7: the stored hash is not the hash of the stored bytes")
        #expect(AgentStoreError.damaged(.chainBroken(ChainBreak(sequence: 4, kind: .removed))).description
            == "agent store damaged: table events: the hash chain is broken at event 4: removed")
        #expect(AgentStoreError.damaged(.checkpoint(row: 2, .rootMismatch(treeSize: 9))).description
            == "agent store damaged: table checkpoints, row 2: its root is not the Merkle root of the stored events 1...9")
        #expect(AgentStoreError.sqlite(operation: "append 3 event(s)", message: "SQLite error 13").description
            == "SQLite failed to append 3 event(s): SQLite error 13")
    }
}
