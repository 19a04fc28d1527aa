import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func createSealApplication(_ transition: SealWorkflow.Transition, audit: AuditRecord) async throws {
        try await pool.write { db in
            let application = transition.application
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM seal_applications WHERE id = ?", arguments: [application.id.value]) == true {
                throw StoreError.conflict("seal application \(application.id) already exists")
            }
            try db.execute(
                sql: """
                INSERT INTO seal_applications (id, applicant, seal, reason, uses, photos, approvers, cc, status, level, waiting_on,
                                               submitted, decided, revoked_at, uses_made)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: StatementArguments([application.id.value, application.applicant.value, application.seal.value, application.reason,
                                               Int64(application.uses), Int64(application.photos)] + Self.mutableColumns(application))
            )
            try Self.finish(transition, audit: audit, in: db)
        }
    }

    public func updateSealApplication(_ transition: SealWorkflow.Transition, expected: SealApplication, audit: AuditRecord) async throws {
        try await pool.write { db in
            try Self.replace(transition.application, expected: expected, in: db)
            try Self.finish(transition, audit: audit, in: db)
        }
    }

    public func revokeSealApplication(_ transition: SealWorkflow.Transition, expected: SealApplication, audit: AuditRecord, now: Timestamp) async throws -> [RevocationEntry] {
        try await pool.write { db in
            try Self.replace(transition.application, expected: expected, in: db)
            try Self.finish(transition, audit: audit, in: db)
            let rows = try Row.fetchAll(
                db, sql: "SELECT grant_id, expires FROM grants_issued WHERE application_id = ? AND kind = 'access' AND expires > ?",
                arguments: [expected.id.value, now.millisecondsSinceEpoch]
            )
            var entries: [RevocationEntry] = []
            for row in rows {
                let bytes: Data = row["grant_id"]
                guard let grantID = try? GrantID(bytes: Array(bytes)) else { throw StoreError.corrupt("grants_issued.grant_id") }
                let entry = try RevocationEntry(grantID: grantID, relevantUntil: Timestamp(millisecondsSinceEpoch: row["expires"]))
                try db.execute(
                    sql: "INSERT OR IGNORE INTO revoked_grants (grant_id, application_id, relevant_until, revoked) VALUES (?, ?, ?, ?)",
                    arguments: [bytes, expected.id.value, entry.relevantUntil.millisecondsSinceEpoch, now.millisecondsSinceEpoch]
                )
                entries.append(entry)
            }
            // A new version even with no live grant: agents then hear of the revocation at once too.
            try db.execute(sql: "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revocation_list_version'")
            return entries
        }
    }

    public func sealApplication(id: ApplicationID) async throws -> SealApplication? {
        try await pool.read { db in try Self.application(id, in: db) }
    }

    public func sealApplications() async throws -> [SealApplication] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM seal_applications ORDER BY submitted DESC, id").map(Self.application)
        }
    }

    public func sealApplicationSteps(id: ApplicationID) async throws -> [SealApplicationStep] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM seal_application_steps WHERE application_id = ? ORDER BY id", arguments: [id.value]).map(Self.step)
        }
    }

    public func sealUses(_ filter: SealUseFilter) async throws -> [SealUseRecord] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let seal = filter.seal { conditions.append("seal = ?"); arguments += [seal.value] }
            if let user = filter.user { conditions.append("user_id = ?"); arguments += [user.value] }
            if let application = filter.application { conditions.append("application_id = ?"); arguments += [application.value] }
            if let from = filter.from { conditions.append("at >= ?"); arguments += [from.millisecondsSinceEpoch] }
            if let to = filter.to { conditions.append("at < ?"); arguments += [to.millisecondsSinceEpoch] }
            arguments += [max(0, filter.limit)]
            let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM seal_uses \(clause) ORDER BY at, device_id, event_sequence LIMIT ?", arguments: arguments)
            return try rows.map { row in try Self.use(row, in: db) }
        }
    }

    public func revocations(now: Timestamp) async throws -> (version: UInt64, entries: [RevocationEntry]) {
        try await pool.read { db in
            let version = UInt64(try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'revocation_list_version'") ?? "0") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT grant_id, relevant_until FROM revoked_grants WHERE relevant_until > ?",
                                        arguments: [now.millisecondsSinceEpoch])
            let entries = try rows.map { row in
                let bytes: Data = row["grant_id"]
                guard let grantID = try? GrantID(bytes: Array(bytes)) else { throw StoreError.corrupt("revoked_grants.grant_id") }
                return try RevocationEntry(grantID: grantID, relevantUntil: Timestamp(millisecondsSinceEpoch: row["relevant_until"]))
            }
            return (version, entries)
        }
    }

    // MARK: Notifications

    public func notify(_ notices: [Notice]) async throws {
        guard !notices.isEmpty else { return }
        try await pool.write { db in try Self.insertNotices(notices, in: db) }
    }

    public func inbox(user: UserID, unreadOnly: Bool, limit: Int) async throws -> [InboxItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM notifications WHERE recipient = ? \(unreadOnly ? "AND read IS NULL" : "") ORDER BY id DESC LIMIT ?",
                arguments: [user.value, max(0, limit)]
            ).map { row in
                InboxItem(
                    id: row["id"], recipient: try SQLiteRows.userID(row["recipient"], "notifications.recipient"), kind: row["kind"],
                    subject: row["subject"], text: row["text"], details: try SQLiteRows.details(row["details"]),
                    at: Timestamp(millisecondsSinceEpoch: row["at"]), read: SQLiteRows.timestamp(row["read"])
                )
            }
        }
    }

    public func markRead(_ id: Int64, user: UserID, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE notifications SET read = COALESCE(read, ?) WHERE id = ? AND recipient = ?",
                           arguments: [at.millisecondsSinceEpoch, id, user.value])
            try Self.requireChange(db, "notification \(id)")
        }
    }

    public func webhook() async throws -> WebhookTarget? {
        try await pool.read { db in try Self.webhook(db) }
    }

    public func setWebhook(_ target: WebhookTarget?, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM settings WHERE key IN ('webhook_url', 'webhook_secret')")
            if let target {
                try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('webhook_url', ?), ('webhook_secret', ?)", arguments: [target.url, target.secret])
            }
            try Self.insertAudit(audit, in: db)
        }
    }

    public func dueWebhooks(now: Timestamp, limit: Int) async throws -> [WebhookOutboxItem] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_outbox WHERE delivered IS NULL AND next_attempt <= ? ORDER BY id LIMIT ?",
                             arguments: [now.millisecondsSinceEpoch, max(0, limit)]).map(Self.outboxItem)
        }
    }

    public func webhookOutbox(limit: Int) async throws -> [WebhookOutboxItem] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_outbox ORDER BY id LIMIT ?", arguments: [max(0, limit)]).map(Self.outboxItem)
        }
    }

    public func markWebhookDelivered(_ id: Int64, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET delivered = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                           arguments: [at.millisecondsSinceEpoch, id])
            try Self.requireChange(db, "webhook outbox item \(id)")
        }
    }

    public func markWebhookFailed(_ id: Int64, attempts: Int, nextAttempt: Timestamp, error: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?",
                           arguments: [attempts, nextAttempt.millisecondsSinceEpoch, String(error.prefix(1000)), id])
            try Self.requireChange(db, "webhook outbox item \(id)")
        }
    }

    // MARK: Inside transactions

    /// Steps, notices and the audit record of a transition.
    static func finish(_ transition: SealWorkflow.Transition, audit: AuditRecord?, in db: Database) throws {
        for step in transition.steps { try insertStep(step, application: transition.application.id, in: db) }
        try insertNotices(transition.notices, in: db)
        if let audit { try insertAudit(audit, in: db) }
    }

    static func replace(_ application: SealApplication, expected: SealApplication, in db: Database) throws {
        guard let stored = try Self.application(expected.id, in: db) else { throw StoreError.notFound("seal application \(expected.id)") }
        guard stored == expected else {
            throw StoreError.conflict("seal application \(expected.id) changed meanwhile (now \(stored.status.name)); look at it again")
        }
        try db.execute(
            sql: """
            UPDATE seal_applications SET approvers = ?, cc = ?, status = ?, level = ?, waiting_on = ?, submitted = ?, decided = ?,
                                         revoked_at = ?, uses_made = ?
            WHERE id = ?
            """,
            arguments: StatementArguments(mutableColumns(application)) + [application.id.value]
        )
    }

    static func mutableColumns(_ application: SealApplication) -> [(any DatabaseValueConvertible)?] {
        var level: Int64?
        if case let .pending(current) = application.status { level = Int64(current) }
        return [
            jsonList(application.approvers.map(\.value)), jsonList(application.cc.map(\.value)), application.status.name, level,
            application.waitingOn?.value, application.submitted.millisecondsSinceEpoch, application.decided?.millisecondsSinceEpoch,
            application.revokedAt?.millisecondsSinceEpoch, Int64(application.usesMade),
        ]
    }

    static func insertStep(_ step: SealApplicationStep, application: ApplicationID, in db: Database) throws {
        var level: Int64?
        var target: String?
        var count: Int64?
        var flagged: String?
        switch step.action {
        case .submitted, .completed: break
        case let .approved(at), let .rejected(at): level = Int64(at)
        case let .forwarded(at, to):
            level = Int64(at)
            target = to.value
        case let .revoked(uses): count = Int64(uses)
        case let .used(number, flag):
            count = Int64(number)
            flagged = flag
        }
        try db.execute(
            sql: "INSERT INTO seal_application_steps (application_id, at, actor, action, level, target, count, flagged, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [application.value, step.at.millisecondsSinceEpoch, step.actor, step.action.name, level, target, count, flagged, step.note]
        )
    }

    static func insertNotices(_ notices: [Notice], in db: Database) throws {
        let hasWebhook = try webhook(db) != nil
        for notice in notices {
            for recipient in notice.recipients {
                try db.execute(
                    sql: "INSERT INTO notifications (recipient, kind, subject, text, details, at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [recipient.value, notice.kind, notice.subject, notice.text, SQLiteRows.detailsJSON(notice.details), notice.at.millisecondsSinceEpoch]
                )
            }
            if hasWebhook {
                try db.execute(
                    sql: "INSERT INTO webhook_outbox (payload, created, next_attempt) VALUES (?, ?, ?)",
                    arguments: [Data(WebhookPayload.encode(notice)), notice.at.millisecondsSinceEpoch, notice.at.millisecondsSinceEpoch]
                )
            }
        }
    }

    static func webhook(_ db: Database) throws -> WebhookTarget? {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM settings WHERE key IN ('webhook_url', 'webhook_secret')")
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        guard let url = values["webhook_url"], let secret = values["webhook_secret"] else { return nil }
        return WebhookTarget(url: url, secret: secret)
    }

    /// Counts each seal-use event in `events` against its application (`SealUseCheck`), and keeps
    /// photos taken for seal uses; called by `appendEvents` in its transaction, so a use is
    /// counted exactly when its event is stored.
    static func ingestSealEvents(_ events: [Event], device: DeviceID, received: Timestamp, in db: Database) throws {
        for event in events {
            switch event.body {
            case let .sealUse(use):
                let stored = try application(use.applicationID, in: db)
                let grant = try issuedGrant(id: use.grantID, in: db)
                let outcome = SealUseCheck.check(use, application: stored, grant: grant, device: device, at: event.time)
                if let stored, let counted = outcome.application {
                    try db.execute(sql: "UPDATE seal_applications SET uses_made = ? WHERE id = ?", arguments: [Int64(counted.usesMade), stored.id.value])
                    if let (step, notice) = SealUseCheck.record(use, outcome: outcome, device: device, at: event.time) {
                        try insertStep(step, application: stored.id, in: db)
                        try insertNotices([notice], in: db)
                    }
                }
                try db.execute(
                    sql: """
                    INSERT INTO seal_uses (device_id, event_sequence, application_id, seal, user_id, grant_id, session_id, at, place,
                                           latitude, longitude, photo_hash, use_number, uses_remaining, flagged)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [
                        device.value, Int64(event.sequence), use.applicationID.value, stored?.seal.value, use.userID.value, Data(use.grantID.bytes),
                        Int64(bitPattern: use.sessionID), event.time.millisecondsSinceEpoch, use.location.placeName,
                        use.location.coordinate.map { Int64($0.latitudeMicrodegrees) }, use.location.coordinate.map { Int64($0.longitudeMicrodegrees) },
                        use.photoHash.map { Data($0.bytes) }, outcome.application.map { Int64($0.usesMade) },
                        outcome.application.map { Int64($0.usesRemaining) }, outcome.flag?.kind,
                    ]
                )
                if let flag = outcome.flag {
                    try db.execute(
                        sql: "INSERT INTO security_events (at, kind, device_id, user_id, detail) VALUES (?, ?, ?, ?, ?)",
                        arguments: [received.millisecondsSinceEpoch, flag.kind, device.value, use.userID.value, flag.detail]
                    )
                }
            case let .photo(photo) where photo.reason == .afterStamps:
                try db.execute(
                    sql: "INSERT INTO seal_photos (device_id, event_sequence, session_id, blob_hash, at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [device.value, Int64(event.sequence), Int64(bitPattern: photo.sessionID), Data(photo.blobHash.bytes), event.time.millisecondsSinceEpoch]
                )
            default:
                continue
            }
        }
    }

    // MARK: Rows

    static func application(_ id: ApplicationID, in db: Database) throws -> SealApplication? {
        try Row.fetchOne(db, sql: "SELECT * FROM seal_applications WHERE id = ?", arguments: [id.value]).map(application)
    }

    static func application(_ row: Row) throws -> SealApplication {
        let idText: String = row["id"]
        func corrupt(_ column: String) -> StoreError { .corrupt("seal_applications.\(column) of \(idText)") }
        guard let id = try? ApplicationID(idText), let seal = try? ResourceID(row["seal"] as String) else { throw corrupt("id") }
        let status: SealApplication.Status
        switch row["status"] as String {
        case "pending":
            guard let level = row["level"] as Int64? else { throw corrupt("level") }
            status = .pending(level: Int(level))
        case "approved": status = .approved
        case "rejected": status = .rejected
        case "revoked": status = .revoked
        default: throw corrupt("status")
        }
        return SealApplication(
            id: id, applicant: try SQLiteRows.userID(row["applicant"], "seal_applications.applicant"), seal: seal, reason: row["reason"],
            uses: UInt32(clamping: row["uses"] as Int64), photos: UInt32(clamping: row["photos"] as Int64),
            approvers: try userList(row["approvers"], column: "approvers"), cc: try userList(row["cc"], column: "cc"), status: status,
            submitted: Timestamp(millisecondsSinceEpoch: row["submitted"]), decided: SQLiteRows.timestamp(row["decided"]),
            revokedAt: SQLiteRows.timestamp(row["revoked_at"]), usesMade: UInt32(clamping: row["uses_made"] as Int64)
        )
    }

    static func step(_ row: Row) throws -> SealApplicationStep {
        let level = (row["level"] as Int64?).map(Int.init) ?? 0
        let count = UInt32(clamping: (row["count"] as Int64?) ?? 0)
        let action: SealApplicationStep.Action
        switch row["action"] as String {
        case "submitted": action = .submitted
        case "approved": action = .approved(level: level)
        case "forwarded": action = .forwarded(level: level, to: try SQLiteRows.userID(row["target"] ?? "", "seal_application_steps.target"))
        case "rejected": action = .rejected(level: level)
        case "completed": action = .completed
        case "revoked": action = .revoked(usesRevoked: count)
        case "used": action = .used(useNumber: count, flagged: row["flagged"])
        default: throw StoreError.corrupt("seal_application_steps.action")
        }
        return SealApplicationStep(at: Timestamp(millisecondsSinceEpoch: row["at"]), actor: row["actor"], action: action, note: row["note"])
    }

    static func use(_ row: Row, in db: Database) throws -> SealUseRecord {
        let device = try SQLiteRows.deviceID(row["device_id"], "seal_uses.device_id")
        let session: Int64 = row["session_id"]
        var photos: [Hash32] = []
        if let stamp = row["photo_hash"] as Data? { photos.append(try SQLiteRows.hash(stamp, "seal_uses.photo_hash")) }
        for data in try Data.fetchAll(db, sql: "SELECT blob_hash FROM seal_photos WHERE device_id = ? AND session_id = ? ORDER BY event_sequence",
                                      arguments: [device.value, session]) {
            photos.append(try SQLiteRows.hash(data, "seal_photos.blob_hash"))
        }
        var coordinate: GeoCoordinate?
        if let latitude = row["latitude"] as Int64?, let longitude = row["longitude"] as Int64? {
            coordinate = try? GeoCoordinate(latitudeMicrodegrees: Int32(clamping: latitude), longitudeMicrodegrees: Int32(clamping: longitude))
        }
        guard let application = try? ApplicationID(row["application_id"] as String),
              let grant = try? GrantID(bytes: Array(row["grant_id"] as Data)),
              let location = try? SealLocation(placeName: row["place"], coordinate: coordinate)
        else { throw StoreError.corrupt("seal_uses of \(device)") }
        return SealUseRecord(
            deviceID: device, eventSequence: UInt64(row["event_sequence"] as Int64), applicationID: application,
            seal: (row["seal"] as String?).flatMap { try? ResourceID($0) }, userID: try SQLiteRows.userID(row["user_id"], "seal_uses.user_id"),
            grantID: grant, sessionID: UInt64(bitPattern: session), at: Timestamp(millisecondsSinceEpoch: row["at"]), location: location,
            photos: photos, useNumber: (row["use_number"] as Int64?).map { UInt32(clamping: $0) },
            usesRemaining: (row["uses_remaining"] as Int64?).map { UInt32(clamping: $0) }, flagged: row["flagged"]
        )
    }

    static func outboxItem(_ row: Row) throws -> WebhookOutboxItem {
        WebhookOutboxItem(
            id: row["id"], payload: Array(row["payload"] as Data), attempts: Int(row["attempts"] as Int64),
            nextAttempt: Timestamp(millisecondsSinceEpoch: row["next_attempt"]), delivered: SQLiteRows.timestamp(row["delivered"]), lastError: row["last_error"]
        )
    }

    static func jsonList(_ values: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func userList(_ json: String, column: String) throws -> [UserID] {
        guard let values = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String] else {
            throw StoreError.corrupt("seal_applications.\(column)")
        }
        return try values.map { try SQLiteRows.userID($0, "seal_applications.\(column)") }
    }
}
