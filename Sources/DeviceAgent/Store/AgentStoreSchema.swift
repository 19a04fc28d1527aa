import GRDB
import Protocol

/// The store's tables (docs/agent-store.md, "Schema"). STRICT tables, so SQLite itself refuses
/// a value of the wrong type; CHECK constraints hold the ranges the Swift types have.
///
/// Unsigned 64-bit values (sequence numbers, versions, amounts) are stored as the signed
/// integer with the same bits; sequence numbers stay far below 2^63, so they read naturally.
enum AgentStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2-split-parts") { db in
            try db.execute(sql: splitParts)
        }
        migrator.registerMigration("v3-firmware-downloads") { db in
            try db.execute(sql: firmwareDownloads)
        }
        migrator.registerMigration("v4-copier-sessions") { db in
            try db.execute(sql: copierSessions)
            try backfillCopierJobs(db)
        }
        migrator.registerMigration("v5-seal-sessions") { db in
            try db.execute(sql: sealSessions)
            try backfillSealUses(db)
        }
        migrator.registerMigration("v6-audit-head") { db in
            try db.execute(sql: auditHead)
        }
        return migrator
    }

    /// The newest signed head of the server's audit chain the agent received (issue 14), kept
    /// as the server's token: one row, replaced only by a head with a higher sequence.
    static let auditHead = """
        CREATE TABLE audit_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            token BLOB NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT;
        """

    static let version1 = """
        CREATE TABLE agent_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            device_id TEXT NOT NULL,
            head_sequence INTEGER NOT NULL CHECK (head_sequence >= 0),
            head_hash BLOB NOT NULL CHECK (length(head_hash) = 32),
            acknowledged INTEGER NOT NULL CHECK (acknowledged >= 0),
            last_seen_job INTEGER CHECK (last_seen_job BETWEEN 0 AND 4294967295),
            session_tag INTEGER NOT NULL CHECK (session_tag BETWEEN 0 AND 4294967295)
        ) STRICT;

        CREATE TABLE events (
            sequence INTEGER PRIMARY KEY CHECK (sequence >= 1),
            time INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            hash BLOB NOT NULL CHECK (length(hash) = 32),
            bytes BLOB NOT NULL
        ) STRICT;
        CREATE INDEX events_by_time ON events(time);

        CREATE TABLE device_keys (
            key_id BLOB PRIMARY KEY CHECK (length(key_id) = 8),
            public_key BLOB NOT NULL CHECK (length(public_key) = 32)
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
            key_id BLOB NOT NULL REFERENCES device_keys(key_id),
            bytes BLOB NOT NULL
        ) STRICT;

        CREATE TABLE blobs (
            id INTEGER PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size >= 0),
            sent INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1))
        ) STRICT;
        CREATE INDEX blobs_unsent ON blobs(id) WHERE sent = 0;

        CREATE TABLE used_grants (
            grant_id BLOB PRIMARY KEY CHECK (length(grant_id) = 16),
            until INTEGER NOT NULL
        ) WITHOUT ROWID, STRICT;
        CREATE INDEX used_grants_by_until ON used_grants(until);

        CREATE TABLE limit_grants (
            user_id TEXT PRIMARY KEY,
            grant_id BLOB NOT NULL CHECK (length(grant_id) = 16),
            issued_at INTEGER NOT NULL,
            token BLOB NOT NULL
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE limit_usage (
            grant_id BLOB PRIMARY KEY CHECK (length(grant_id) = 16),
            user_id TEXT NOT NULL,
            used INTEGER NOT NULL
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE credentials (
            card_hash BLOB PRIMARY KEY CHECK (length(card_hash) = 32),
            user_id TEXT NOT NULL,
            pin_verifier BLOB,
            cached_at INTEGER NOT NULL
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE revocation_list (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            token BLOB NOT NULL
        ) STRICT;

        CREATE TABLE server_keys (
            key_id BLOB PRIMARY KEY CHECK (length(key_id) = 8),
            public_key BLOB NOT NULL CHECK (length(public_key) = 32),
            valid_until INTEGER
        ) WITHOUT ROWID, STRICT;

        CREATE TABLE key_values (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID, STRICT;
        """

    /// Released split parts the server sent for the copier's print port (docs/agent-store.md):
    /// kept from arrival until printed, so a restart neither loses nor reprints one. `offer` and
    /// `done` are the canonical `partOffer` and `partDone` payloads; the PDF is dropped when done.
    static let splitParts = """
        CREATE TABLE split_parts (
            part_id TEXT PRIMARY KEY,
            offer BLOB NOT NULL,
            pdf BLOB,
            received INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('received', 'printing', 'done')),
            session_tag INTEGER CHECK (session_tag BETWEEN 1 AND 4294967295),
            done BLOB,
            CHECK ((state = 'done') = (done IS NOT NULL AND pdf IS NULL))
        ) STRICT;
        """

    /// Firmware images the server offered (docs/agent-store.md): the offer, where the update
    /// stands and the bytes received so far, one row per chunk so a chunk is one small write and
    /// a transfer cut off anywhere resumes from the last stored chunk. The chunks are dropped
    /// once the update is final; the row stays to answer the server (again).
    static let firmwareDownloads = """
        CREATE TABLE firmware_downloads (
            image_id INTEGER PRIMARY KEY,
            offer BLOB NOT NULL,
            state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 7),
            received INTEGER NOT NULL CHECK (received >= 0),
            message TEXT NOT NULL,
            updated INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE firmware_download_chunks (
            image_id INTEGER NOT NULL REFERENCES firmware_downloads(image_id),
            offset INTEGER NOT NULL CHECK (offset >= 0),
            data BLOB NOT NULL,
            PRIMARY KEY (image_id, offset)
        ) WITHOUT ROWID, STRICT;
        """

    /// Copier sessions written ahead of the unlock, and every copier job stored (H1,
    /// docs/agent-store.md "Crash-proof sessions"). A session row is committed with its
    /// "opened" event, before the relay is switched on, so a restarted agent can name the user
    /// of every job the copier ran under its tag. `copier_jobs` holds the identity of each copy
    /// job and part print logged: the store refuses a second event for the same copier job.
    static let copierSessions = """
        CREATE TABLE copier_sessions (
            tag INTEGER PRIMARY KEY CHECK (tag BETWEEN 1 AND 4294967295),
            user_id TEXT NOT NULL,
            grant_id BLOB NOT NULL CHECK (length(grant_id) = 16),
            offline INTEGER NOT NULL CHECK (offline IN (0, 1)),
            page_budget INTEGER NOT NULL CHECK (page_budget BETWEEN 0 AND 4294967295),
            job_at_open INTEGER CHECK (job_at_open BETWEEN 0 AND 4294967295),
            opened_at INTEGER NOT NULL,
            opened_event INTEGER NOT NULL,
            closed_at INTEGER
        ) STRICT;
        CREATE INDEX copier_sessions_open ON copier_sessions(tag) WHERE closed_at IS NULL;

        CREATE TABLE copier_jobs (
            session_tag INTEGER NOT NULL CHECK (session_tag >= 0),
            sequence INTEGER NOT NULL CHECK (sequence BETWEEN 0 AND 4294967295),
            event_sequence INTEGER NOT NULL,
            PRIMARY KEY (session_tag, sequence)
        ) WITHOUT ROWID, STRICT;
        """

    /// The copy jobs and part prints stored before `copier_jobs` existed, so that the rule
    /// "one event per copier job" holds for them too.
    static func backfillCopierJobs(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT sequence, bytes FROM events WHERE kind IN (?, ?)",
                                       arguments: [Int64(EventKind.copyJob.rawValue), Int64(EventKind.partPrint.rawValue)])
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO copier_jobs (session_tag, sequence, event_sequence) VALUES (?, ?, ?)")
        while let row = try rows.next() {
            guard let bytes = row.bytes(1), let event = try? Event(wireBytes: bytes), case let .copierJob(tag, sequence)? = RecordKey(event.body) else { continue }
            try insert.execute(arguments: [storedBits(tag), Int64(sequence), row.integer(0)])
        }
    }

    /// Seal sessions written ahead of the unlock, and every seal use stored (issue 13, the seal
    /// the same as the copier). A use's identity is its grant and its number under the grant:
    /// the seal opens a grant once, and numbers its uses from the grant's allowance.
    static let sealSessions = """
        CREATE TABLE seal_sessions (
            session_id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL,
            grant_id BLOB NOT NULL UNIQUE CHECK (length(grant_id) = 16),
            application_id TEXT NOT NULL,
            grant_uses INTEGER NOT NULL CHECK (grant_uses BETWEEN 0 AND 4294967295),
            uses_remaining INTEGER NOT NULL CHECK (uses_remaining BETWEEN 0 AND 4294967295),
            uses_allowed INTEGER NOT NULL CHECK (uses_allowed BETWEEN 0 AND 65535),
            opened_at INTEGER NOT NULL,
            opened_event INTEGER NOT NULL,
            closed_at INTEGER
        ) STRICT;
        CREATE INDEX seal_sessions_open ON seal_sessions(session_id) WHERE closed_at IS NULL;

        CREATE TABLE seal_uses (
            grant_id BLOB NOT NULL CHECK (length(grant_id) = 16),
            use_number INTEGER NOT NULL CHECK (use_number BETWEEN 0 AND 4294967295),
            event_sequence INTEGER NOT NULL,
            PRIMARY KEY (grant_id, use_number)
        ) WITHOUT ROWID, STRICT;
        """

    static func backfillSealUses(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT sequence, bytes FROM events WHERE kind = ?", arguments: [Int64(EventKind.sealUse.rawValue)])
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO seal_uses (grant_id, use_number, event_sequence) VALUES (?, ?, ?)")
        while let row = try rows.next() {
            guard let bytes = row.bytes(1), let event = try? Event(wireBytes: bytes),
                  case let .sealUse(grant, number)? = RecordKey(event.body) else { continue }
            try insert.execute(arguments: [blobValue(grant.bytes), Int64(number), row.integer(0)])
        }
    }
}
