import Foundation
import GRDB
import Protocol

/// The check a store passes before it opens (docs/agent-store.md, "What is checked at open"),
/// run in one read transaction so that it sees one consistent state. It rebuilds the Merkle
/// tree from the stored bytes as it goes and returns it with the chain head.
struct IntegrityCheck {
    let pool: DatabasePool
    let deviceID: DeviceID
    let deviceKey: SigningKey
    let blobDirectory: String
    let chunkSize: Int
    /// When set, the copy jobs it selects are collected while the events are checked (a bill
    /// check reads the log once).
    var usage: UsageSelection? = nil

    func run() throws(AgentStoreError) -> ChainState {
        try runCollecting().chain
    }

    /// `run`, also returning the usage entries `usage` selects, in sequence order.
    func runCollecting() throws(AgentStoreError) -> (chain: ChainState, entries: [UsageEntry]) {
        try AgentStore.wrap("check the store") {
            try pool.read { db in
                var entries: [UsageEntry] = []
                let chain = try checkEvents(db, collecting: &entries)
                try checkState(db, chain: chain)
                try checkCheckpoints(db, tree: chain.tree)
                try checkBlobs(db)
                try checkTokens(db)
                return (chain, entries)
            }
        }
    }

    // MARK: Events

    /// Reads the events in chunks of `chunkSize`, in sequence order. Per row: the bytes decode,
    /// to the event the row is filed under, with the stored hash, time and kind; then the chunk
    /// continues the chain. The first damage in sequence order is reported.
    private func checkEvents(_ db: Database, collecting entries: inout [UsageEntry]) throws -> ChainState {
        var state = ChainState()
        var anchor = ChainAnchor.genesis
        var lastRow: Int64 = 0
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT sequence, time, kind, hash, bytes FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [lastRow, chunkSize])
            guard let last = rows.last else { break }
            lastRow = try required(last.integer(0), table: "events", key: "after \(lastRow)", column: "sequence")
            var events: [Event] = []
            events.reserveCapacity(rows.count)
            var rowDamage: StoreDamage?
            for row in rows {
                switch checkedEvent(row) {
                case let .intact(event, bytes):
                    events.append(event)
                    state.tree.append(leafData: bytes)
                    if let usage, let entry = UsageEntry(event: event), usage.contains(entry) { entries.append(entry) }
                case let .damaged(damage):
                    rowDamage = damage
                }
                if rowDamage != nil { break }
            }
            // A break in the chain before the damaged row comes first in sequence order.
            if case let .broken(chainBreak) = EventChain.verify(events, device: deviceID, from: anchor) {
                throw AgentStoreError.damaged(.chainBroken(chainBreak))
            }
            if let rowDamage { throw AgentStoreError.damaged(rowDamage) }
            anchor = ChainAnchor(after: events[events.count - 1])
            state.head = events.last
            state.headHash = anchor.hash
        }
        return state
    }

    private enum CheckedRow {
        case intact(Event, [UInt8])
        case damaged(StoreDamage)
    }

    private func checkedEvent(_ row: Row) -> CheckedRow {
        guard let stored = row.integer(0) else {
            return .damaged(.invalidRow(table: "events", key: "?", problem: "sequence is not an integer"))
        }
        let sequence = unsigned(stored)
        func missing(_ column: String) -> StoreDamage {
            .invalidRow(table: "events", key: "\(sequence)", problem: "column \(column) is missing or of the wrong type")
        }
        guard let time = row.integer(1) else { return .damaged(missing("time")) }
        guard let kind = row.integer(2) else { return .damaged(missing("kind")) }
        guard let hash = row.bytes(3) else { return .damaged(missing("hash")) }
        guard let bytes = row.bytes(4) else { return .damaged(missing("bytes")) }
        let event: Event
        do {
            event = try Event(wireBytes: bytes)
        } catch {
            return .damaged(.eventUndecodable(sequence: sequence, error))
        }
        guard event.sequence == sequence else { return .damaged(.eventMisnumbered(row: sequence, encoded: event.sequence)) }
        guard hash == Event.hash(canonicalBytes: bytes).bytes else { return .damaged(.eventHashMismatch(sequence: sequence)) }
        guard time == event.time.millisecondsSinceEpoch else { return .damaged(.eventColumnMismatch(sequence: sequence, column: "time")) }
        guard kind == Int64(event.body.kind.rawValue) else { return .damaged(.eventColumnMismatch(sequence: sequence, column: "kind")) }
        return .intact(event, bytes)
    }

    /// The head recorded with the last commit is the last stored event (so events removed
    /// from or added at the end, or a changed last event, show), and acks stay within it.
    private func checkState(_ db: Database, chain: ChainState) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT head_sequence, head_hash, acknowledged FROM agent_state WHERE id = 1") else {
            throw AgentStoreError.damaged(.invalidRow(table: "agent_state", key: "1", problem: "missing"))
        }
        let headSequence = unsigned(try required(row.integer(0), table: "agent_state", key: "1", column: "head_sequence"))
        let headBytes = try required(row.bytes(1), table: "agent_state", key: "1", column: "head_hash")
        let acknowledged = unsigned(try required(row.integer(2), table: "agent_state", key: "1", column: "acknowledged"))
        guard let headHash = try? Hash32(bytes: headBytes) else {
            throw AgentStoreError.damaged(.invalidRow(table: "agent_state", key: "1", problem: "head_hash is not 32 bytes"))
        }
        let recorded = ChainAnchor(sequence: headSequence, hash: headHash)
        let found = ChainAnchor(sequence: chain.head?.sequence ?? 0, hash: chain.headHash)
        guard recorded == found else { throw AgentStoreError.damaged(.chainHeadMismatch(recorded: recorded, found: found)) }
        guard acknowledged <= found.sequence else {
            throw AgentStoreError.damaged(.acknowledgedBeyondHead(acknowledged: acknowledged, head: found.sequence))
        }
    }

    // MARK: Checkpoints

    /// Every checkpoint decodes, is signed by one of this device's keys for this device,
    /// covers no more events than are stored, has the Merkle root of the stored events at its
    /// size, and covers no fewer events than the one before it.
    private func checkCheckpoints(_ db: Database, tree: MerkleTree) throws {
        let keys = try deviceKeys(db)
        var previousSize: UInt64 = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT id, tree_size, bytes FROM checkpoints ORDER BY id")
        while let row = try rows.next() {
            let id = try required(row.integer(0), table: "checkpoints", key: "?", column: "id")
            func damage(_ problem: CheckpointDamage) -> AgentStoreError { .damaged(.checkpoint(row: id, problem)) }
            let column = unsigned(try required(row.integer(1), table: "checkpoints", key: "\(id)", column: "tree_size"))
            let bytes = try required(row.bytes(2), table: "checkpoints", key: "\(id)", column: "bytes")
            let signed: SignedCheckpoint
            do {
                signed = try SignedCheckpoint(wireBytes: bytes)
            } catch {
                throw damage(.undecodable(error))
            }
            let checkpoint = signed.checkpoint
            guard checkpoint.treeSize == column else { throw damage(.treeSizeColumnMismatch(column: column, encoded: checkpoint.treeSize)) }
            guard let key = keys[checkpoint.keyID] else { throw damage(.unknownKey(checkpoint.keyID)) }
            do {
                try signed.verify(devicePublicKey: key, device: deviceID)
            } catch {
                throw damage(.signature(error))
            }
            guard checkpoint.treeSize <= tree.size else { throw damage(.beyondLog(treeSize: checkpoint.treeSize, events: tree.size)) }
            guard (try? tree.root(atSize: checkpoint.treeSize)) == checkpoint.root else {
                throw damage(.rootMismatch(treeSize: checkpoint.treeSize))
            }
            guard checkpoint.treeSize >= previousSize else { throw damage(.shrank(from: previousSize, to: checkpoint.treeSize)) }
            previousSize = checkpoint.treeSize
        }
    }

    /// The device keys recorded so far, and the one the store is opened with.
    private func deviceKeys(_ db: Database) throws -> [KeyID: PublicKey] {
        var keys = [deviceKey.keyID: deviceKey.publicKey]
        for row in try Row.fetchAll(db, sql: "SELECT key_id, public_key FROM device_keys") {
            let keyID = try required(row.bytes(0), table: "device_keys", key: "?", column: "key_id")
            let name = Hex.encode(keyID)
            let bytes = try required(row.bytes(1), table: "device_keys", key: name, column: "public_key")
            guard let key = try? PublicKey(bytes: bytes), key.keyID.bytes == keyID else {
                throw AgentStoreError.damaged(.invalidRow(table: "device_keys", key: name, problem: "not the id of a valid public key"))
            }
            keys[key.keyID] = key
        }
        return keys
    }

    // MARK: Blobs

    /// Every blob has its file with the recorded size. Unsent blobs (the ones still to go out)
    /// are hashed in full; sent ones are hashed whenever they are read, and by `verifyAllBlobs`.
    private func checkBlobs(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT hash, size, sent FROM blobs ORDER BY id")
        while let row = try rows.next() {
            let bytes = try required(row.bytes(0), table: "blobs", key: "?", column: "hash")
            guard let hash = try? Hash32(bytes: bytes) else {
                throw AgentStoreError.damaged(.invalidRow(table: "blobs", key: Hex.encode(bytes), problem: "hash is not 32 bytes"))
            }
            let size = try required(row.integer(1), table: "blobs", key: hash.hex, column: "size")
            let sent = try required(row.integer(2), table: "blobs", key: hash.hex, column: "sent")
            try BlobFiles.check(hash, size: Int(clamping: size), in: blobDirectory, hashing: sent == 0)
        }
    }

    // MARK: Tokens and keys

    /// The small tables the agent decides with: each stored token decodes and agrees with the
    /// columns it is filed under; each server key is the key its id names.
    private func checkTokens(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT user_id, grant_id, issued_at, token FROM limit_grants") {
            let user = try required(row.text(0), table: "limit_grants", key: "?", column: "user_id")
            func damage(_ problem: String) -> AgentStoreError { .damaged(.invalidRow(table: "limit_grants", key: user, problem: problem)) }
            let token = try required(row.bytes(3), table: "limit_grants", key: user, column: "token")
            guard let grant = try? SignedLimitGrant(wireBytes: token).limitGrant else { throw damage("the token does not decode") }
            guard grant.userID.value == user, row.bytes(1) == grant.grantID.bytes,
                  row.integer(2) == grant.issuedAt.millisecondsSinceEpoch
            else { throw damage("the columns disagree with the token") }
        }
        if let row = try Row.fetchOne(db, sql: "SELECT version, token FROM revocation_list WHERE id = 1") {
            func damage(_ problem: String) -> AgentStoreError { .damaged(.invalidRow(table: "revocation_list", key: "1", problem: problem)) }
            let token = try required(row.bytes(1), table: "revocation_list", key: "1", column: "token")
            guard let list = try? SignedRevocationList(wireBytes: token).revocationList else { throw damage("the token does not decode") }
            guard row.integer(0) == storedBits(list.version) else { throw damage("the version column disagrees with the token") }
        }
        for row in try Row.fetchAll(db, sql: "SELECT key_id, public_key FROM server_keys") {
            let keyID = try required(row.bytes(0), table: "server_keys", key: "?", column: "key_id")
            let bytes = try required(row.bytes(1), table: "server_keys", key: Hex.encode(keyID), column: "public_key")
            guard let key = try? PublicKey(bytes: bytes), key.keyID.bytes == keyID else {
                throw AgentStoreError.damaged(.invalidRow(table: "server_keys", key: Hex.encode(keyID), problem: "not the id of a valid public key"))
            }
        }
    }
}
