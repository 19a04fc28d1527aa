import Foundation
import GRDB
import Protocol

/// The agent's local store: its event chain and outbox, blobs, used grant ids, limit grants
/// and their usage, cached credentials, the revocation list and server keys, checkpoints, and
/// small state. One SQLite database (WAL, `synchronous = FULL`) beside a directory of blob files.
/// Layout, durability and checks: docs/agent-store.md.
///
/// Every method may be called from any task or thread. Appends from many tasks are committed
/// together (group commit): one transaction and one fsync for every append waiting at the time.
public final class AgentStore: Sendable {
    /// Photos and scans are a few MB; anything this large is a mistake, not a picture.
    public static let maximumBlobSize = 64 << 20

    public let path: String
    public let deviceID: DeviceID
    let deviceKey: SigningKey
    let pool: DatabasePool
    /// `<directory of the database>/blobs`.
    let blobDirectory: String
    let tuning: Tuning
    /// The committed chain: what readers see, and what the next batch continues from.
    let chain: Locked<ChainState>
    let appends: Locked<AppendQueue>
    /// The one thread that commits appends, so a commit never blocks the cooperative pool.
    let committer = DispatchQueue(label: "imprimatur.agent-store.commit", qos: .userInitiated)

    /// Knobs the tests and benchmarks turn; the defaults are the production values.
    struct Tuning: Sendable {
        /// SQLite's default. The crash test sets 0 so that the database file stays still
        /// while it is copied (only the WAL grows).
        var walAutoCheckpointPages = 1000
        var maximumBatchSize = 1024
        /// How long the committer waits for the callers of the last batch to append again;
        /// small beside an fsync (about 1 ms on an SD card or SSD).
        var linger: DispatchTimeInterval = .microseconds(250)
        /// Events read and checked at a time when the store opens: bounds memory.
        var integrityChunkSize = 4096
    }

    /// Opens the store at `path` (created with its tables if missing) for `deviceID`, whose
    /// checkpoints `deviceKey` signs. Checks everything stored before returning (docs,
    /// "What is checked at open"): damage is reported as `AgentStoreError.damaged`, never repaired.
    public static func open(path: String, deviceID: DeviceID, deviceKey: SigningKey) throws(AgentStoreError) -> AgentStore {
        try open(path: path, deviceID: deviceID, deviceKey: deviceKey, tuning: Tuning())
    }

    static func open(path: String, deviceID: DeviceID, deviceKey: SigningKey, tuning: Tuning) throws(AgentStoreError) -> AgentStore {
        var configuration = Configuration()
        configuration.label = "agent-store"
        configuration.foreignKeysEnabled = true
        let autoCheckpoint = tuning.walAutoCheckpointPages
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(autoCheckpoint)")
        }
        let pool = try wrap("open \(path)") { try DatabasePool(path: path, configuration: configuration) }
        // GRDB sets synchronous = NORMAL on the writer when it turns WAL on, after
        // prepareDatabase runs; FULL must come after that.
        try wrap("set synchronous = FULL") {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        try wrap("migrate the schema") { try AgentStoreSchema.migrator.migrate(pool) }
        try prepareIdentity(pool, deviceID: deviceID)
        let chain = try IntegrityCheck(pool: pool, deviceID: deviceID, deviceKey: deviceKey,
                                       blobDirectory: blobDirectory(for: path), chunkSize: tuning.integrityChunkSize).run()
        try wrap("record the device key") {
            try pool.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO device_keys (key_id, public_key) VALUES (?, ?)",
                               arguments: [blobValue(deviceKey.keyID.bytes), blobValue(deviceKey.publicKey.bytes)])
            }
        }
        BlobFiles.removeTemporaryFiles(in: blobDirectory(for: path))
        return AgentStore(path: path, deviceID: deviceID, deviceKey: deviceKey, pool: pool, tuning: tuning, chain: chain)
    }

    private init(path: String, deviceID: DeviceID, deviceKey: SigningKey, pool: DatabasePool, tuning: Tuning, chain: ChainState) {
        self.path = path
        self.deviceID = deviceID
        self.deviceKey = deviceKey
        self.pool = pool
        self.tuning = tuning
        self.blobDirectory = Self.blobDirectory(for: path)
        self.chain = Locked(chain)
        self.appends = Locked(AppendQueue())
    }

    /// The version of the SQLite library linked at run time, for start-up logs and benchmarks.
    public static var sqliteVersion: String {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
    }

    static func blobDirectory(for path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/blobs"
    }

    /// A new store gets its one state row; an existing one must belong to `deviceID`.
    private static func prepareIdentity(_ pool: DatabasePool, deviceID: DeviceID) throws(AgentStoreError) {
        try wrap("check the device id") {
            try pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT device_id FROM agent_state WHERE id = 1") else {
                    if try Int64.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 > 0 {
                        throw AgentStoreError.damaged(.invalidRow(table: "agent_state", key: "1", problem: "missing, but events are stored"))
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO agent_state (id, device_id, head_sequence, head_hash, acknowledged, last_seen_job, session_tag)
                            VALUES (1, ?, 0, ?, 0, NULL, 0)
                            """,
                        arguments: [deviceID.value, blobValue(Hash32.zero.bytes)])
                    return
                }
                let text = try required(row.text(0), table: "agent_state", key: "1", column: "device_id")
                guard let stored = try? DeviceID(text) else {
                    throw AgentStoreError.damaged(.invalidRow(table: "agent_state", key: "1", problem: "device_id \(text) is not a device id"))
                }
                guard stored == deviceID else { throw AgentStoreError.wrongDevice(stored: stored, given: deviceID) }
            }
        }
    }

    /// Commits the appends already queued, then closes the database. Later calls throw `closed`.
    public func close() throws(AgentStoreError) {
        let wasOpen = appends.withLock { queue in
            defer { queue.closed = true }
            return !queue.closed
        }
        guard wasOpen else { return }
        committer.sync {}
        try Self.wrap("close") { try pool.close() }
    }

    var isClosed: Bool { appends.withLock { $0.closed } }

    // MARK: Database access

    /// Runs `body` in a read transaction; GRDB's errors become `sqlite(operation:message:)`.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(AgentStoreError) -> T {
        guard !isClosed else { throw .closed }
        return try Self.wrap(operation) { try pool.read(body) }
    }

    /// Runs `body` in a write transaction (committed durably when it returns).
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(AgentStoreError) -> T {
        guard !isClosed else { throw .closed }
        return try Self.wrap(operation) { try pool.write(body) }
    }

    static func wrap<T>(_ operation: String, _ body: () throws -> T) throws(AgentStoreError) -> T {
        do {
            return try body()
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw .sqlite(operation: operation, message: "\(error)")
        }
    }
}

/// The committed chain as the store holds it in memory.
struct ChainState: Sendable {
    /// The last committed event; nil while the chain is empty.
    var head: Event?
    var headHash: Hash32 = .zero
    /// Leaf `i` is the canonical bytes of event `i + 1`: kept incrementally as events commit.
    var tree = MerkleTree()
}
