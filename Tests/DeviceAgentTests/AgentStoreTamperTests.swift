import Foundation
import GRDB
import Protocol
import Testing
@testable import DeviceAgent

/// Damage made behind the store's back, with GRDB on the closed database file, is reported
/// at open with what and where, and reported again at the next open: never repaired.
@Suite("Agent store: damage found at open")
struct AgentStoreTamperTests {
    /// A closed store with 10 fault events, checked at open in chunks of 4 events so that
    /// damage lands on chunk edges too.
    static func storeWithEvents(_ count: Int = 10) async throws -> StoreFixture {
        let fixture = try StoreFixture()
        let store = try fixture.open(tuning: small)
        try await StoreFixture.appendFaults(count, to: store)
        try store.close()
        return fixture
    }

    static let small = AgentStore.Tuning(integrityChunkSize: 4)

    /// The error at open, checked twice: the first open must not have repaired anything.
    static func damage(_ fixture: StoreFixture) throws -> AgentStoreError? {
        func attempt() -> AgentStoreError? {
            do {
                try fixture.open(tuning: small).close()
                return nil
            } catch let error as AgentStoreError {
                return error
            } catch {
                return .sqlite(operation: "unexpected", message: "\(error)")
            }
        }
        let first = attempt()
        #expect(attempt() == first, "a second open reports the same damage")
        return first
    }

    static func bytes(of sequence: Int64, in db: Database) throws -> [UInt8] {
        [UInt8](try Data.fetchOne(db, sql: "SELECT bytes FROM events WHERE sequence = ?", arguments: [sequence])!)
    }

    @Test func aChangedEventByteNamesThatEvent() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in
            var bytes = try Self.bytes(of: 6, in: db)
            bytes[bytes.count - 1] ^= 0x01  // "tray 2" becomes "tray 3": still a valid event
            try db.execute(sql: "UPDATE events SET bytes = ? WHERE sequence = 6", arguments: [Data(bytes)])
        }
        #expect(try Self.damage(fixture) == .damaged(.eventHashMismatch(sequence: 6)))
    }

    @Test func aChangedEventWithItsHashRecomputedBreaksTheChainThere() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in
            var bytes = try Self.bytes(of: 6, in: db)
            bytes[bytes.count - 1] ^= 0x01
            try db.execute(sql: "UPDATE events SET bytes = ?, hash = ? WHERE sequence = 6",
                           arguments: [Data(bytes), Data(Event.hash(canonicalBytes: bytes).bytes)])
        }
        #expect(try Self.damage(fixture) == .damaged(.chainBroken(ChainBreak(sequence: 6, kind: .changed))))
    }

    @Test func bytesThatNoLongerDecodeNameTheEvent() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in
            try db.execute(sql: "UPDATE events SET bytes = X'0102' WHERE sequence = 3")
        }
        let error = try Self.damage(fixture)
        guard case let .damaged(.eventUndecodable(sequence, _))? = error else {
            Issue.record("expected an undecodable event, got \(String(describing: error))")
            return
        }
        #expect(sequence == 3)
    }

    @Test(arguments: [1, 4, 5, 7])
    func aDeletedRowIsTheGapItLeaves(sequence: Int64) async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in try db.execute(sql: "DELETE FROM events WHERE sequence = ?", arguments: [sequence]) }
        #expect(try Self.damage(fixture) == .damaged(.chainBroken(ChainBreak(sequence: UInt64(sequence), kind: .removed))))
    }

    @Test func theLastEventDeletedShowsAgainstTheRecordedHead() async throws {
        let fixture = try await Self.storeWithEvents()
        let store = try fixture.open()
        let head = try #require(store.lastEvent())
        try store.close()
        try fixture.tamper { db in try db.execute(sql: "DELETE FROM events WHERE sequence = 10") }
        let error = try Self.damage(fixture)
        guard case let .damaged(.chainHeadMismatch(recorded, found))? = error else {
            Issue.record("expected a head mismatch, got \(String(describing: error))")
            return
        }
        #expect(recorded == ChainAnchor(after: head))
        #expect(found.sequence == 9)
    }

    @Test func theLastEventChangedWithItsHashShowsAgainstTheRecordedHead() async throws {
        let fixture = try await Self.storeWithEvents()
        var changed: [UInt8] = []
        try fixture.tamper { db in
            changed = try Self.bytes(of: 10, in: db)
            changed[changed.count - 1] ^= 0x01
            try db.execute(sql: "UPDATE events SET bytes = ?, hash = ? WHERE sequence = 10",
                           arguments: [Data(changed), Data(Event.hash(canonicalBytes: changed).bytes)])
        }
        let error = try Self.damage(fixture)
        guard case let .damaged(.chainHeadMismatch(recorded, found))? = error else {
            Issue.record("expected a head mismatch, got \(String(describing: error))")
            return
        }
        #expect(recorded.sequence == 10)
        #expect(found == ChainAnchor(sequence: 10, hash: Event.hash(canonicalBytes: changed)))
    }

    @Test func anEventFiledUnderAnotherNumberIsNamed() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in
            let bytes = try Self.bytes(of: 2, in: db)
            try db.execute(sql: "UPDATE events SET bytes = ? WHERE sequence = 3", arguments: [Data(bytes)])
        }
        #expect(try Self.damage(fixture) == .damaged(.eventMisnumbered(row: 3, encoded: 2)))
    }

    @Test func aTimeColumnThatDisagreesWithTheBytesIsNamed() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in try db.execute(sql: "UPDATE events SET time = time + 1 WHERE sequence = 8") }
        #expect(try Self.damage(fixture) == .damaged(.eventColumnMismatch(sequence: 8, column: "time")))
    }

    @Test func anAckBeyondTheChainIsDamage() async throws {
        let fixture = try await Self.storeWithEvents()
        try fixture.tamper { db in try db.execute(sql: "UPDATE agent_state SET acknowledged = 11") }
        #expect(try Self.damage(fixture) == .damaged(.acknowledgedBeyondHead(acknowledged: 11, head: 10)))
    }

    @Test func aChangedCheckpointSignatureIsNamed() async throws {
        let fixture = try await Self.storeWithEvents()
        let store = try fixture.open()
        try store.makeCheckpoint(at: StoreFixture.t0)
        try store.makeCheckpoint(at: StoreFixture.t0.adding(seconds: 1))
        try store.close()
        try fixture.tamper { db in
            var bytes = [UInt8](try Data.fetchOne(db, sql: "SELECT bytes FROM checkpoints WHERE id = 2")!)
            bytes[bytes.count - 1] ^= 0x80
            try db.execute(sql: "UPDATE checkpoints SET bytes = ? WHERE id = 2", arguments: [Data(bytes)])
        }
        #expect(try Self.damage(fixture) == .damaged(.checkpoint(row: 2, .signature(.badSignature))))
    }

    @Test func aCheckpointWhoseRootIsNotTheStoredEventsIsNamed() async throws {
        let fixture = try await Self.storeWithEvents()
        // Signed with the real device key, but over another root: what a rewritten log looks like.
        let forged = try SignedCheckpoint(
            signing: Checkpoint(deviceID: StoreFixture.deviceID, treeSize: 4, root: Hash32.sha256([1]),
                                time: StoreFixture.t0, keyID: StoreFixture.deviceKey.keyID),
            with: StoreFixture.deviceKey)
        try fixture.tamper { db in
            try db.execute(sql: "INSERT INTO checkpoints (tree_size, key_id, bytes) VALUES (4, ?, ?)",
                           arguments: [Data(StoreFixture.deviceKey.keyID.bytes), Data(forged.wireBytes())])
        }
        #expect(try Self.damage(fixture) == .damaged(.checkpoint(row: 1, .rootMismatch(treeSize: 4))))
    }

    @Test func aCheckpointBeyondTheEventsOrByAStrangerIsNamed() async throws {
        let fixture = try await Self.storeWithEvents()
        let stranger = try SigningKey(seed: [UInt8](repeating: 9, count: 32))
        let beyond = try SignedCheckpoint(
            signing: Checkpoint(deviceID: StoreFixture.deviceID, treeSize: 11, root: Hash32.sha256([1]),
                                time: StoreFixture.t0, keyID: StoreFixture.deviceKey.keyID),
            with: StoreFixture.deviceKey)
        try fixture.tamper { db in
            try db.execute(sql: "INSERT INTO checkpoints (tree_size, key_id, bytes) VALUES (11, ?, ?)",
                           arguments: [Data(StoreFixture.deviceKey.keyID.bytes), Data(beyond.wireBytes())])
        }
        #expect(try Self.damage(fixture) == .damaged(.checkpoint(row: 1, .beyondLog(treeSize: 11, events: 10))))

        let byStranger = try SignedCheckpoint(
            signing: Checkpoint(deviceID: StoreFixture.deviceID, treeSize: 0, root: MerkleHash.emptyRoot,
                                time: StoreFixture.t0, keyID: stranger.keyID),
            with: stranger)
        try fixture.tamper { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE checkpoints SET tree_size = 0, key_id = ?, bytes = ? WHERE id = 1",
                           arguments: [Data(stranger.keyID.bytes), Data(byStranger.wireBytes())])
        }
        #expect(try Self.damage(fixture) == .damaged(.checkpoint(row: 1, .unknownKey(stranger.keyID))))
    }

    @Test func aChangedOrMissingBlobFileIsNamed() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let photo = Array("a photo of alice".utf8)
        let hash = try store.putBlob(photo, mediaType: MediaType("image/png"))
        try store.close()
        let file = BlobFiles.path(of: hash, in: fixture.directory.appending("blobs"))
        try Data(Array("a photo of mallory".utf8).prefix(photo.count)).write(to: URL(fileURLWithPath: file))
        #expect(try Self.damage(fixture) == .damaged(.blobHashMismatch(hash, found: Hash32.sha256(Array("a photo of mallory".utf8).prefix(photo.count)))))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        #expect(try Self.damage(fixture) == .damaged(.blobSizeMismatch(hash, recorded: photo.count, found: 3)))
        try FileManager.default.removeItem(atPath: file)
        #expect(try Self.damage(fixture) == .damaged(.blobMissing(hash)))
    }

    @Test func aTokenThatNoLongerDecodesIsNamed() async throws {
        let fixture = try StoreFixture()
        try fixture.open().close()
        try fixture.tamper { db in
            try db.execute(sql: "INSERT INTO revocation_list (id, version, token) VALUES (1, 1, X'00')")
        }
        #expect(try Self.damage(fixture) == .damaged(.invalidRow(table: "revocation_list", key: "1", problem: "the token does not decode")))
    }
}
