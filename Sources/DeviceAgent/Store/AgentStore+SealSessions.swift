import Foundation
import GRDB
import Protocol

/// A seal session as the store keeps it, written before the unlock is sent to the seal (the
/// seal the same as the copier, issue 13). With it a restarted agent records the stamps the seal
/// reports for the grant, under the right user and application, though the process that opened
/// the session is gone.
public struct DurableSealSession: Hashable, Sendable {
    public let id: UInt64
    public let user: UserID
    public let grantID: GrantID
    public let application: ApplicationID
    /// The grant's allowance (`sealUses`): use numbers count from it.
    public let grantUses: UInt32
    /// What the grant still allowed when the session opened.
    public let usesRemaining: UInt32
    /// The uses the unlock asked the seal for.
    public let usesAllowed: UInt16
    public let openedAt: Timestamp
    public let closed: Bool

    public init(id: UInt64, user: UserID, grantID: GrantID, application: ApplicationID, grantUses: UInt32, usesRemaining: UInt32,
                usesAllowed: UInt16, openedAt: Timestamp, closed: Bool = false) {
        self.id = id
        self.user = user
        self.grantID = grantID
        self.application = application
        self.grantUses = grantUses
        self.usesRemaining = usesRemaining
        self.usesAllowed = usesAllowed
        self.openedAt = openedAt
        self.closed = closed
    }

    /// The use a stamp report of this session stands for: its number under the grant and what
    /// the grant allows after it. Computed from the report alone (the seal counts the uses
    /// left), so a report resent after a restart gives the same use, and the same store key.
    /// Nil for a report of another grant or one claiming more uses than the session had.
    public func use(for report: SealStampReport) -> (number: UInt32, remaining: UInt32)? {
        guard report.grantID == grantID, report.usesRemaining < usesAllowed else { return nil }
        let made = UInt32(usesAllowed - report.usesRemaining)
        guard made <= usesRemaining, usesRemaining <= grantUses else { return nil }
        let remaining = usesRemaining - made
        return (grantUses - remaining, remaining)
    }
}

extension AgentStore {
    /// Appends a seal session's "opened" event with its row, in one transaction: once this
    /// returns the session is durable, and only then may the unlock go to the seal.
    @discardableResult
    public func appendSealSessionOpened(_ session: DurableSealSession, resource: ResourceID, at time: Timestamp) async throws(AgentStoreError) -> Event {
        let body = EventBody.session(SessionEvent(sessionID: session.id, transition: .opened, userID: session.user,
                                                  resourceID: resource, grantID: session.grantID))
        return try await enqueue(body, time: time, copierJobSequence: nil, usage: nil, effect: .openSealSession(session))
    }

    /// Appends a seal session's "closed" event and marks its row closed with it.
    @discardableResult
    public func appendSealSessionClosed(_ session: DurableSealSession, reason: SessionCloseReason, resource: ResourceID,
                                        at time: Timestamp) async throws(AgentStoreError) -> Event {
        let body = EventBody.session(SessionEvent(sessionID: session.id, transition: .closed(reason), userID: session.user,
                                                  resourceID: resource, grantID: session.grantID))
        return try await enqueue(body, time: time, copierJobSequence: nil, usage: nil, effect: .closeSealSession(id: session.id))
    }

    /// The seal session the grant opened; nil when none was written ahead for it.
    public func sealSession(grantID: GrantID) throws(AgentStoreError) -> DurableSealSession? {
        try read("read the seal session of grant \(grantID)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM seal_sessions WHERE grant_id = ?", arguments: [blobValue(grantID.bytes)]).map(Self.sealSession)
        }
    }

    /// Seal sessions whose "closed" event is not stored: open when the agent stopped (or crashed).
    public func openSealSessions() throws(AgentStoreError) -> [DurableSealSession] {
        try read("read open seal sessions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM seal_sessions WHERE closed_at IS NULL ORDER BY session_id").map(Self.sealSession)
        }
    }

    /// True when the use numbered `useNumber` under the grant is stored.
    public func holdsSealUse(grantID: GrantID, useNumber: UInt32) throws(AgentStoreError) -> Bool {
        try read("look up seal use \(useNumber)") { db in try RecordKey.sealUse(grantID: grantID, useNumber: useNumber).isStored(in: db) }
    }

    /// Seal uses of `application` the server has not acknowledged: a seal grant the server
    /// signed without them must not buy them again.
    public func unacknowledgedSealUses(application: ApplicationID) throws(AgentStoreError) -> UInt32 {
        try read("count unacknowledged seal uses") { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT bytes FROM events WHERE sequence > ? AND kind = ?",
                                           arguments: [storedBits(try Self.acknowledged(db)), Int64(EventKind.sealUse.rawValue)])
            var count: UInt32 = 0
            while let row = try rows.next() {
                guard let bytes = row.bytes(0), case let .sealUse(use) = try? Event(wireBytes: bytes).body,
                      use.applicationID == application else { continue }
                count &+= 1
            }
            return count
        }
    }

    static func insertSealSession(_ session: DurableSealSession, openedEvent: UInt64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO seal_sessions (session_id, user_id, grant_id, application_id, grant_uses, uses_remaining, uses_allowed,
                                           opened_at, opened_event)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [storedBits(session.id), session.user.value, blobValue(session.grantID.bytes), session.application.value,
                        Int64(session.grantUses), Int64(session.usesRemaining), Int64(session.usesAllowed),
                        session.openedAt.millisecondsSinceEpoch, storedBits(openedEvent)])
    }

    private static func sealSession(_ row: Row) throws -> DurableSealSession {
        let table = "seal_sessions"
        let idBits = try required(row["session_id"] as Int64?, table: table, key: "?", column: "session_id")
        let key = String(UInt64(bitPattern: idBits))
        func column<T>(_ name: String, _ value: T?) throws -> T { try required(value, table: table, key: key, column: name) }
        let user = try column("user_id", (row["user_id"] as String?).flatMap { try? UserID($0) })
        let grantID = try column("grant_id", (row["grant_id"] as Data?).flatMap { try? GrantID(bytes: Array($0)) })
        let application = try column("application_id", (row["application_id"] as String?).flatMap { try? ApplicationID($0) })
        let grantUses = try column("grant_uses", (row["grant_uses"] as Int64?).flatMap { UInt32(exactly: $0) })
        let remaining = try column("uses_remaining", (row["uses_remaining"] as Int64?).flatMap { UInt32(exactly: $0) })
        let allowed = try column("uses_allowed", (row["uses_allowed"] as Int64?).flatMap { UInt16(exactly: $0) })
        let openedAt = try column("opened_at", row["opened_at"] as Int64?)
        return DurableSealSession(id: UInt64(bitPattern: idBits), user: user, grantID: grantID, application: application,
                                  grantUses: grantUses, usesRemaining: remaining, usesAllowed: allowed,
                                  openedAt: Timestamp(millisecondsSinceEpoch: openedAt), closed: (row["closed_at"] as Int64?) != nil)
    }
}
