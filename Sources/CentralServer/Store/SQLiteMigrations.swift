import Foundation
import GRDB
import Protocol

/// The SQLite schema, as GRDB migrations: each runs once, in order, and is never edited after
/// it shipped (a change is a new migration).
enum SQLiteMigrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: core tables") { db in
            try db.execute(sql: v1)
            var generator = SystemRandomNumberGenerator()
            let suffix = Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('server_id', ?)", arguments: ["imprimatur-\(suffix)"])
        }
        migrator.registerMigration("v2: device logs") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-seal-applications") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v3-ledger") { db in
            try db.execute(sql: v3Ledger)
        }
        migrator.registerMigration("v4-bills") { db in
            try db.execute(sql: v4Bills)
        }
        migrator.registerMigration("v5-split-jobs") { db in
            try db.execute(sql: v5SplitJobs)
        }
        migrator.registerMigration("v6-web") { db in
            try db.execute(sql: v6Web)
        }
        migrator.registerMigration("v7-firmware") { db in
            try db.execute(sql: v7Firmware)
        }
        migrator.registerMigration("v8-copier-job-identity") { db in
            try db.execute(sql: v8CopierJobIdentity)
            try backfillCopierJobIdentities(db)
        }
        migrator.registerMigration("v9-resources-by-id") { db in
            try db.execute(sql: v9ResourcesByID)
        }
        migrator.registerMigration("v10-audit-heads") { db in
            try db.execute(sql: v10AuditHeads)
        }
        return migrator
    }

    /// The web pages (issue 7): login sessions, kept by the SHA-256 of their id with their CSRF
    /// token, and wrong-password attempts, counted per account and per address for the lockout.
    private static let v6Web = """
    CREATE TABLE web_sessions (
        id_hash BLOB PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        csrf TEXT NOT NULL,
        source TEXT NOT NULL,
        created INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX web_sessions_by_user ON web_sessions(user_id);

    CREATE TABLE web_login_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        source TEXT NOT NULL,
        at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX web_login_failures_by_account ON web_login_failures(account, at);
    CREATE INDEX web_login_failures_by_source ON web_login_failures(source, at);
    """

    /// The audit heads the server signed (issue 14), newest last, each as its signed token and
    /// its fields for reading. Append-only like the audit log. Not unique by sequence: a log
    /// restored from a backup may reach the same sequence again with another hash, and both
    /// signatures are history.
    private static let v10AuditHeads = """
    CREATE TABLE audit_heads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sequence INTEGER NOT NULL,
        hash BLOB NOT NULL,
        signed_at INTEGER NOT NULL,
        key_id BLOB NOT NULL,
        token BLOB NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_heads_are_append_only_update BEFORE UPDATE ON audit_heads
        BEGIN SELECT RAISE(ABORT, 'the audit heads are append-only'); END;
    CREATE TRIGGER audit_heads_are_append_only_delete BEFORE DELETE ON audit_heads
        BEGIN SELECT RAISE(ABORT, 'the audit heads are append-only'); END;
    """

    /// Resource ids are unique on the server (issue 21: seal applications, grants and reports
    /// name a seal by its id alone, and a second device enrolled with a seal's id could use the
    /// applications for it): enrolment looks an id up here before it takes it. Not a UNIQUE
    /// index, which would stop a server whose devices already share an id from starting; those
    /// are refused by the seal application instead (`SealService.apply`).
    private static let v9ResourcesByID = """
    CREATE INDEX device_resources_by_resource ON device_resources(resource_id);
    """

    /// One charge per copier job (issue 13): a copier job's identity is (device, session id,
    /// copier job sequence): the tag the agent wrote into the copier and the controller's job
    /// number. The first event with an identity makes the job, its charge and its ledger entry;
    /// a later one (the agent read the job twice, or logged it again after a crash) is stored
    /// as an event, so the chain stays whole, and recorded as a security event, never charged.
    private static let v8CopierJobIdentity = """
    CREATE TABLE copier_job_identities (
        device_id TEXT NOT NULL,
        session_id INTEGER NOT NULL,
        copier_job_sequence INTEGER NOT NULL,
        job_id TEXT NOT NULL,
        PRIMARY KEY (device_id, session_id, copier_job_sequence)
    ) WITHOUT ROWID, STRICT;
    """

    /// The jobs charged before the table existed, oldest event first: where the same copier
    /// job was charged twice already, the first stands (the charge stays in the append-only
    /// ledger; the identity stops a third).
    static func backfillCopierJobIdentities(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT jobs.id AS job_id, jobs.device_id AS device_id, device_events.bytes AS bytes
            FROM jobs JOIN device_events ON device_events.device_id = jobs.device_id AND device_events.sequence = jobs.event_sequence
            ORDER BY jobs.device_id, jobs.event_sequence
            """)
        let insert = try db.makeStatement(sql: """
            INSERT OR IGNORE INTO copier_job_identities (device_id, session_id, copier_job_sequence, job_id) VALUES (?, ?, ?, ?)
            """)
        while let row = try rows.next() {
            let bytes: Data = row["bytes"]
            guard let event = try? Event(wireBytes: Array(bytes)), case let .copyJob(job) = event.body else { continue }
            let device: String = row["device_id"]
            let jobID: String = row["job_id"]
            try insert.execute(arguments: [device, Int64(bitPattern: job.sessionID), Int64(job.copierJobSequence), jobID])
        }
    }

    /// Firmware (SPEC F3): uploaded images (bytes kept for sending), rollouts of one image to
    /// chosen devices, each device's transfer (`firmware_targets.id` is the uplink image id)
    /// and every `firmwareStatus` the agents sent.
    private static let v7Firmware = """
    CREATE TABLE firmware_images (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        model INTEGER NOT NULL CHECK (model IN (1, 2)),
        version TEXT NOT NULL,
        minimum_version TEXT,
        size INTEGER NOT NULL CHECK (size >= 1),
        sha256 BLOB NOT NULL UNIQUE,
        uploaded INTEGER NOT NULL,
        uploaded_by TEXT NOT NULL,
        bytes BLOB NOT NULL
    ) STRICT;

    CREATE TABLE firmware_rollouts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        image_id INTEGER NOT NULL REFERENCES firmware_images(id),
        created INTEGER NOT NULL,
        created_by TEXT NOT NULL
    ) STRICT;

    CREATE TABLE firmware_targets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rollout_id INTEGER NOT NULL REFERENCES firmware_rollouts(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        state TEXT NOT NULL,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        bytes_received INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        updated INTEGER NOT NULL,
        UNIQUE (rollout_id, device_id)
    ) STRICT;
    CREATE INDEX firmware_targets_by_device ON firmware_targets(device_id, id);

    CREATE TABLE firmware_status_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target_id INTEGER NOT NULL REFERENCES firmware_targets(id),
        at INTEGER NOT NULL,
        state INTEGER NOT NULL,
        bytes_received INTEGER NOT NULL,
        message TEXT NOT NULL
    ) STRICT;
    CREATE INDEX firmware_status_log_by_target ON firmware_status_log(target_id, id);
    """

    /// Split charges (SPEC D): held print jobs, their parts (with each part's PDF until the part
    /// is ended) and per part its payers and their consent state. A released part's charge goes
    /// to `jobs`/`charges`/`ledger` like a copy job's.
    private static let v5SplitJobs = """
    CREATE TABLE split_jobs (
        id TEXT PRIMARY KEY NOT NULL,
        requester TEXT NOT NULL REFERENCES users(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        title TEXT NOT NULL,
        page_count INTEGER NOT NULL CHECK (page_count >= 1),
        created INTEGER NOT NULL,
        deadline INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX split_jobs_by_deadline ON split_jobs(deadline);

    CREATE TABLE split_parts (
        job_id TEXT NOT NULL REFERENCES split_jobs(id),
        part INTEGER NOT NULL,
        first_page INTEGER NOT NULL,
        last_page INTEGER NOT NULL,
        copies INTEGER NOT NULL CHECK (copies >= 1),
        colour INTEGER NOT NULL,
        paper_size INTEGER NOT NULL,
        paper_type TEXT NOT NULL,
        released INTEGER,
        ended INTEGER,
        data_deleted INTEGER,
        pdf_size INTEGER NOT NULL,
        pdf_sha256 BLOB NOT NULL,
        pdf BLOB,
        PRIMARY KEY (job_id, part)
    ) STRICT;

    CREATE TABLE split_payers (
        job_id TEXT NOT NULL REFERENCES split_jobs(id),
        part INTEGER NOT NULL,
        payer TEXT NOT NULL REFERENCES users(id),
        percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100),
        state TEXT NOT NULL CHECK (state IN ('requesting', 'authenticated', 'approved', 'rejected', 'timed-out')),
        state_at INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        amount INTEGER,
        currency TEXT,
        PRIMARY KEY (job_id, payer)
    ) STRICT;
    CREATE INDEX split_payers_by_payer ON split_payers(payer);
    """

    /// Seal applications (SPEC E1-E8): the applications, their append-only timelines, the uses
    /// ingested from devices and the photos after them, revoked grants for the signed revocation
    /// list, and the generic notification inbox and webhook outbox. Access grants remember the
    /// application they were issued for, so a revocation can name them.
    private static let v3 = """
    CREATE TABLE seal_applications (
        id TEXT PRIMARY KEY NOT NULL,
        applicant TEXT NOT NULL REFERENCES users(id),
        seal TEXT NOT NULL,
        reason TEXT NOT NULL,
        uses INTEGER NOT NULL CHECK (uses >= 1),
        photos INTEGER NOT NULL CHECK (photos >= 0),
        approvers TEXT NOT NULL,
        cc TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'revoked')),
        level INTEGER,
        waiting_on TEXT,
        submitted INTEGER NOT NULL,
        decided INTEGER,
        revoked_at INTEGER,
        uses_made INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX seal_applications_by_applicant ON seal_applications(applicant, submitted);
    CREATE INDEX seal_applications_by_waiting ON seal_applications(waiting_on);

    CREATE TABLE seal_application_steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        application_id TEXT NOT NULL REFERENCES seal_applications(id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        level INTEGER,
        target TEXT,
        count INTEGER,
        flagged TEXT,
        note TEXT
    ) STRICT;
    CREATE INDEX seal_application_steps_by_application ON seal_application_steps(application_id, id);
    CREATE TRIGGER seal_application_steps_are_append_only_update BEFORE UPDATE ON seal_application_steps
        BEGIN SELECT RAISE(ABORT, 'seal application timelines are append-only'); END;
    CREATE TRIGGER seal_application_steps_are_append_only_delete BEFORE DELETE ON seal_application_steps
        BEGIN SELECT RAISE(ABORT, 'seal application timelines are append-only'); END;

    CREATE TABLE seal_uses (
        device_id TEXT NOT NULL REFERENCES devices(id),
        event_sequence INTEGER NOT NULL,
        application_id TEXT NOT NULL,
        seal TEXT,
        user_id TEXT NOT NULL,
        grant_id BLOB NOT NULL,
        session_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        place TEXT NOT NULL,
        latitude INTEGER,
        longitude INTEGER,
        photo_hash BLOB,
        use_number INTEGER,
        uses_remaining INTEGER,
        flagged TEXT,
        PRIMARY KEY (device_id, event_sequence)
    ) STRICT;
    CREATE INDEX seal_uses_by_time ON seal_uses(at);
    CREATE INDEX seal_uses_by_application ON seal_uses(application_id, at);

    CREATE TABLE seal_photos (
        device_id TEXT NOT NULL REFERENCES devices(id),
        event_sequence INTEGER NOT NULL,
        session_id INTEGER NOT NULL,
        blob_hash BLOB NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (device_id, event_sequence)
    ) STRICT;
    CREATE INDEX seal_photos_by_session ON seal_photos(device_id, session_id);

    CREATE TABLE revoked_grants (
        grant_id BLOB PRIMARY KEY NOT NULL,
        application_id TEXT,
        relevant_until INTEGER NOT NULL,
        revoked INTEGER NOT NULL
    ) STRICT;
    INSERT INTO settings (key, value) VALUES ('revocation_list_version', '0');

    ALTER TABLE grants_issued ADD COLUMN application_id TEXT;
    CREATE INDEX grants_issued_by_application ON grants_issued(application_id);

    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        details TEXT NOT NULL,
        at INTEGER NOT NULL,
        read INTEGER
    ) STRICT;
    CREATE INDEX notifications_by_recipient ON notifications(recipient, id);

    CREATE TABLE webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        payload BLOB NOT NULL,
        created INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        delivered INTEGER,
        last_error TEXT
    ) STRICT;
    CREATE INDEX webhook_outbox_due ON webhook_outbox(delivered, next_attempt);
    """

    /// Issued bills (docs/bills.md): each stored with the exact JSON served, never changed or
    /// removed; a correction is a new bill naming the one it corrects. Jobs are found by the
    /// time they ended, per user.
    private static let v4Bills = """
    CREATE TABLE bills (
        id TEXT PRIMARY KEY NOT NULL,
        account TEXT NOT NULL,
        corrects TEXT REFERENCES bills(id),
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT,
        usage_hash TEXT NOT NULL,
        lines INTEGER NOT NULL,
        issued_by TEXT NOT NULL,
        json TEXT NOT NULL,
        CHECK (period_start < period_end)
    ) STRICT;
    CREATE INDEX bills_by_account ON bills(account, period_start);
    CREATE TRIGGER bills_are_immutable_update BEFORE UPDATE ON bills
        BEGIN SELECT RAISE(ABORT, 'bills are immutable; issue a correction'); END;
    CREATE TRIGGER bills_are_immutable_delete BEFORE DELETE ON bills
        BEGIN SELECT RAISE(ABORT, 'bills are immutable; issue a correction'); END;
    CREATE INDEX jobs_by_user_end ON jobs(user_id, ended);
    """

    /// Limits become ledger entries too (docs/quotas.md): the ledger is rebuilt with the kinds
    /// `limit` and `overdraft` (SQLite cannot change a CHECK in place; DROP TABLE fires no
    /// triggers), each quota's first limit and adjustment are carried into it as the first such
    /// entries, and from then on `quotas` holds only the period and the unit (its `first_limit`
    /// and `adjustment` columns record the last setting and are never read). Payments that
    /// arrive by the provider's webhook are remembered by idempotency key with the answer given.
    private static let v3Ledger = """
    CREATE TABLE ledger_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL REFERENCES users(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('use', 'payment', 'adjustment', 'limit', 'overdraft')),
        pages INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT,
        job_id TEXT,
        note TEXT NOT NULL,
        actor TEXT NOT NULL
    ) STRICT;
    INSERT INTO ledger_v3 (id, user_id, at, kind, pages, amount, currency, job_id, note, actor)
        SELECT id, user_id, at, kind, pages, amount, currency, job_id, note, actor FROM ledger ORDER BY id;
    DROP TABLE ledger;
    ALTER TABLE ledger_v3 RENAME TO ledger;
    CREATE INDEX ledger_by_user_time ON ledger(user_id, at);
    CREATE INDEX ledger_by_job ON ledger(job_id) WHERE job_id IS NOT NULL;
    CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

    INSERT INTO ledger (user_id, at, kind, pages, amount, currency, job_id, note, actor)
        SELECT user_id, updated, 'limit',
               CASE WHEN unit = 'pages' THEN first_limit ELSE 0 END,
               CASE WHEN unit = 'pages' THEN 0 ELSE first_limit END,
               CASE WHEN unit = 'pages' THEN NULL ELSE unit END,
               NULL, 'first limit as set before limits were ledger entries', 'migration:v3-ledger'
        FROM quotas ORDER BY user_id;
    INSERT INTO ledger (user_id, at, kind, pages, amount, currency, job_id, note, actor)
        SELECT user_id, updated, 'overdraft',
               CASE WHEN unit = 'pages' THEN adjustment ELSE 0 END,
               CASE WHEN unit = 'pages' THEN 0 ELSE adjustment END,
               CASE WHEN unit = 'pages' THEN NULL ELSE unit END,
               NULL, 'adjustment as set before limits were ledger entries', 'migration:v3-ledger'
        FROM quotas ORDER BY user_id;

    CREATE TABLE payment_webhooks (
        idempotency_key TEXT PRIMARY KEY NOT NULL,
        body_hash BLOB NOT NULL,
        ledger_id INTEGER,
        status INTEGER NOT NULL,
        answer TEXT NOT NULL,
        received INTEGER NOT NULL
    ) STRICT;
    """

    /// What devices send over the uplink: their hash-chained events, stored once by (device,
    /// sequence) and never changed; their signed checkpoints; blobs by SHA-256. Jobs gain their
    /// colour/mono split and the event they come from.
    private static let v2 = """
    CREATE TABLE device_events (
        device_id TEXT NOT NULL REFERENCES devices(id),
        sequence INTEGER NOT NULL,
        hash BLOB NOT NULL,
        previous_hash BLOB NOT NULL,
        at INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        received INTEGER NOT NULL,
        PRIMARY KEY (device_id, sequence)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX device_events_by_time ON device_events(device_id, at);
    CREATE TRIGGER device_events_are_append_only_update BEFORE UPDATE ON device_events
        BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END;
    CREATE TRIGGER device_events_are_append_only_delete BEFORE DELETE ON device_events
        BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END;

    CREATE TABLE device_checkpoints (
        device_id TEXT NOT NULL REFERENCES devices(id),
        tree_size INTEGER NOT NULL,
        root BLOB NOT NULL,
        at INTEGER NOT NULL,
        token BLOB NOT NULL,
        received INTEGER NOT NULL,
        PRIMARY KEY (device_id, tree_size)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE blobs (
        hash BLOB PRIMARY KEY NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        received_bytes INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        device_id TEXT REFERENCES devices(id),
        created INTEGER NOT NULL
    ) STRICT;

    ALTER TABLE jobs ADD COLUMN colour_pages INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN mono_pages INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN event_sequence INTEGER;
    ALTER TABLE jobs ADD COLUMN session_id INTEGER;
    """

    private static let v1 = """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE users (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        department TEXT,
        roles TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        pin_hash TEXT,
        password_hash TEXT,
        created INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE cards (
        number TEXT PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        added INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX cards_by_user ON cards(user_id);

    CREATE TABLE api_tokens (
        token_hash BLOB PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        created INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE devices (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        model TEXT NOT NULL,
        firmware TEXT NOT NULL,
        public_key BLOB NOT NULL,
        enrolled_at INTEGER NOT NULL,
        last_seen INTEGER,
        state TEXT NOT NULL CHECK (state IN ('active', 'disabled'))
    ) STRICT;

    CREATE TABLE device_resources (
        device_id TEXT NOT NULL REFERENCES devices(id),
        resource_id TEXT NOT NULL,
        type INTEGER NOT NULL CHECK (type IN (1, 2)),
        PRIMARY KEY (device_id, resource_id)
    ) STRICT;

    CREATE TABLE enrollment_tokens (
        token_hash BLOB PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        used INTEGER,
        used_by TEXT
    ) STRICT;

    CREATE TABLE device_permissions (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id),
        user_id TEXT REFERENCES users(id),
        department TEXT,
        CHECK ((user_id IS NULL) <> (department IS NULL))
    ) STRICT;
    CREATE INDEX device_permissions_by_device ON device_permissions(device_id);

    CREATE TABLE prices (
        paper_size INTEGER NOT NULL CHECK (paper_size BETWEEN 1 AND 6),
        colour INTEGER NOT NULL CHECK (colour IN (0, 1)),
        currency TEXT NOT NULL,
        price INTEGER NOT NULL CHECK (price BETWEEN 1 AND 4294967295),
        updated INTEGER NOT NULL,
        PRIMARY KEY (paper_size, colour, currency)
    ) STRICT;

    CREATE TABLE quotas (
        user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
        period TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'yearly')),
        unit TEXT NOT NULL,
        first_limit INTEGER NOT NULL,
        adjustment INTEGER NOT NULL,
        updated INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL REFERENCES users(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('use', 'payment', 'adjustment')),
        pages INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT,
        job_id TEXT,
        note TEXT NOT NULL,
        actor TEXT NOT NULL
    ) STRICT;
    CREATE INDEX ledger_by_user_time ON ledger(user_id, at);
    CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

    CREATE TABLE jobs (
        id TEXT PRIMARY KEY NOT NULL,
        device_id TEXT NOT NULL REFERENCES devices(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        grant_id TEXT,
        paper_size INTEGER NOT NULL,
        colour INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        copies INTEGER NOT NULL,
        duplex INTEGER NOT NULL,
        started INTEGER NOT NULL,
        ended INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX jobs_by_time ON jobs(started);

    CREATE TABLE charges (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        pages INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT,
        at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE grants_issued (
        grant_id BLOB PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('access', 'limit')),
        key_id BLOB NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        resource_id TEXT,
        issued_at INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        pages INTEGER,
        copies INTEGER,
        colour INTEGER,
        seal_uses INTEGER,
        available INTEGER
    ) STRICT;
    CREATE INDEX grants_issued_by_user ON grants_issued(user_id, issued_at);

    CREATE TABLE pin_failures (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX pin_failures_by_user ON pin_failures(user_id, at);
    CREATE INDEX pin_failures_by_device ON pin_failures(device_id, at);

    CREATE TABLE audit_log (
        sequence INTEGER PRIMARY KEY NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL,
        previous_hash BLOB NOT NULL,
        hash BLOB NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TABLE security_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        device_id TEXT,
        user_id TEXT,
        detail TEXT NOT NULL
    ) STRICT;
    """
}
