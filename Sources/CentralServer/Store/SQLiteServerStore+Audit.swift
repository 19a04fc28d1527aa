import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    @discardableResult
    public func appendAudit(_ record: AuditRecord) async throws -> AuditEntry {
        try await pool.write { db in try Self.insertAudit(record, in: db) }
    }

    public func auditEntries(after: UInt64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [Int64(clamping: after), max(0, limit)]
            ).map(SQLiteRows.auditEntry)
        }
    }

    public func recordSecurityEvent(_ event: SecurityEvent) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO security_events (at, kind, device_id, user_id, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.at.millisecondsSinceEpoch, event.kind, event.deviceID?.value, event.userID?.value, event.detail]
            )
        }
    }

    public func securityEvents(limit: Int) async throws -> [SecurityEvent] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM security_events ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)]).map(Self.securityEvent)
        }
    }

    public func securityAlerts(since: Timestamp, limit: Int) async throws -> [SecurityEvent] {
        // The kinds are matched in SQL, so the answer does not depend on how many other rows are newer.
        let matches = SecurityAlerts.kindMarkers.map { _ in "instr(lower(kind), ?) > 0" }.joined(separator: " OR ")
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM security_events WHERE at >= ? AND (\(matches)) ORDER BY id DESC LIMIT ?",
                arguments: StatementArguments([since.millisecondsSinceEpoch] + SecurityAlerts.kindMarkers.map { $0 as (any DatabaseValueConvertible) } + [max(0, limit)])
            ).map(Self.securityEvent)
        }
    }

    private static func securityEvent(_ row: Row) -> SecurityEvent {
        SecurityEvent(
            id: row["id"], at: Timestamp(millisecondsSinceEpoch: row["at"]), kind: row["kind"],
            deviceID: (row["device_id"] as String?).flatMap { try? DeviceID($0) },
            userID: (row["user_id"] as String?).flatMap { try? UserID($0) },
            detail: row["detail"]
        )
    }
}
