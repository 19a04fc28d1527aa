import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func createWebSession(_ session: WebSession, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO web_sessions (id_hash, user_id, csrf, source, created, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [Data(session.idHash.bytes), session.userID.value, session.csrf, session.source,
                            session.created.millisecondsSinceEpoch, session.lastSeen.millisecondsSinceEpoch]
            )
            try Self.insertAudit(audit, in: db)
        }
    }

    public func webSession(idHash: Hash32) async throws -> WebSession? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM web_sessions WHERE id_hash = ?", arguments: [Data(idHash.bytes)]) else { return nil }
            return WebSession(
                idHash: idHash, userID: try SQLiteRows.userID(row["user_id"], "web_sessions.user_id"), csrf: row["csrf"], source: row["source"],
                created: Timestamp(millisecondsSinceEpoch: row["created"]), lastSeen: Timestamp(millisecondsSinceEpoch: row["last_seen"])
            )
        }
    }

    public func touchWebSession(idHash: Hash32, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?", arguments: [at.millisecondsSinceEpoch, Data(idHash.bytes)])
        }
    }

    public func deleteWebSession(idHash: Hash32, audit: AuditRecord?) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE id_hash = ?", arguments: [Data(idHash.bytes)])
            if let audit { try Self.insertAudit(audit, in: db) }
        }
    }

    public func deleteExpiredWebSessions(lastSeenBy: Timestamp, createdBy: Timestamp) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE last_seen <= ? OR created <= ?",
                           arguments: [lastSeenBy.millisecondsSinceEpoch, createdBy.millisecondsSinceEpoch])
            return db.changesCount
        }
    }

    public func deleteLoginFailures(before: Timestamp) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM web_login_failures WHERE at < ?", arguments: [before.millisecondsSinceEpoch])
            return db.changesCount
        }
    }

    public func recordLoginFailure(account: String, source: String, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO web_login_failures (account, source, at) VALUES (?, ?, ?)", arguments: [account, source, at.millisecondsSinceEpoch])
        }
    }

    public func loginFailures(account: String, since: Timestamp) async throws -> [Timestamp] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT at FROM web_login_failures WHERE account = ? AND at > ? ORDER BY at", arguments: [account, since.millisecondsSinceEpoch])
                .map { Timestamp(millisecondsSinceEpoch: $0) }
        }
    }

    public func loginFailures(source: String, since: Timestamp) async throws -> [Timestamp] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT at FROM web_login_failures WHERE source = ? AND at > ? ORDER BY at", arguments: [source, since.millisecondsSinceEpoch])
                .map { Timestamp(millisecondsSinceEpoch: $0) }
        }
    }

    public func clearLoginFailures(account: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM web_login_failures WHERE account = ?", arguments: [account]) }
    }

    public func recentFaults(since: Timestamp, limit: Int) async throws -> [DeviceFault] {
        try await pool.read { db in
            try Data.fetchAll(
                db, sql: "SELECT bytes FROM device_events WHERE kind = ? AND at > ? ORDER BY at DESC LIMIT ?",
                arguments: [Int64(EventKind.fault.rawValue), since.millisecondsSinceEpoch, max(0, limit)]
            ).compactMap { bytes in
                guard let event = try? Event(wireBytes: Array(bytes)), case let .fault(fault) = event.body else { return nil }
                return DeviceFault(device: event.deviceID, at: event.time, component: fault.component, code: fault.code, message: fault.message)
            }
        }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(Self.jobRecord)
        }
    }

    public func jobContent(jobID: String) async throws -> [JobContentPage] {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT device_id, event_sequence, started, ended FROM jobs WHERE id = ?", arguments: [jobID]),
                  let sequence = row["event_sequence"] as Int64?,
                  let jobBytes = try Data.fetchOne(db, sql: "SELECT bytes FROM device_events WHERE device_id = ? AND sequence = ?", arguments: [row["device_id"] as String, sequence]),
                  let jobEvent = try? Event(wireBytes: Array(jobBytes)), case let .copyJob(job) = jobEvent.body
            else { return [] }
            // Content events are logged around the job (each scan as the copier reports it): look an hour either side.
            let hour: Int64 = 3_600_000
            let candidates = try Data.fetchAll(
                db, sql: "SELECT bytes FROM device_events WHERE device_id = ? AND kind = ? AND at BETWEEN ? AND ? ORDER BY sequence",
                arguments: [row["device_id"] as String, Int64(EventKind.content.rawValue), (row["started"] as Int64) - hour, (row["ended"] as Int64) + hour]
            )
            var pages: [UInt32: JobContentPage] = [:]
            for bytes in candidates {
                guard let event = try? Event(wireBytes: Array(bytes)), case let .content(content) = event.body,
                      content.sessionID == job.sessionID, content.copierJobSequence == job.copierJobSequence else { continue }
                let complete = try Int64.fetchOne(db, sql: "SELECT complete FROM blobs WHERE hash = ?", arguments: [Data(content.blobHash.bytes)]) == 1
                pages[content.pageNumber] = JobContentPage(
                    page: content.pageNumber, blobHash: content.blobHash, mediaType: content.mediaType.description, size: content.byteCount, held: complete
                )
            }
            return pages.keys.sorted().compactMap { pages[$0] }
        }
    }
}
