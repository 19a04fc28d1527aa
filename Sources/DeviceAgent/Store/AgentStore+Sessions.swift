import Foundation
import GRDB
import Protocol

/// A copier session as the store keeps it, written before the relay is switched on (H1: write
/// ahead). With it a restarted agent knows whose every job under the tag was, though the
/// process that opened the session is gone.
public struct DurableCopierSession: Hashable, Sendable {
    /// The tag the copier stamps on each job record of the session (holding 4-5).
    public let tag: UInt32
    public let user: UserID
    /// The access grant's id (online) or the limit grant's id (offline).
    public let grantID: GrantID
    public let offline: Bool
    /// What the copier's page budget register was set to.
    public let pageBudget: UInt32
    /// The copier's latest job sequence when the session opened (nil: not yet known).
    public let jobAtOpen: UInt32?
    public let openedAt: Timestamp
    /// False until its "closed" event is stored.
    public let closed: Bool

    public init(tag: UInt32, user: UserID, grantID: GrantID, offline: Bool, pageBudget: UInt32, jobAtOpen: UInt32?,
                openedAt: Timestamp, closed: Bool = false) {
        self.tag = tag
        self.user = user
        self.grantID = grantID
        self.offline = offline
        self.pageBudget = pageBudget
        self.jobAtOpen = jobAtOpen
        self.openedAt = openedAt
        self.closed = closed
    }
}

/// What an append changes besides the chain, in the same transaction as its event.
enum AppendEffect: Sendable {
    case none
    case openSession(DurableCopierSession)
    case closeSession(tag: UInt32)
    case openSealSession(DurableSealSession)
    case closeSealSession(id: UInt64)
}

extension AgentStore {
    /// Appends a copier session's "opened" event and, in the same transaction, the session row:
    /// once this returns the session is durable, and only then may the relay go on.
    @discardableResult
    public func appendSessionOpened(_ session: DurableCopierSession, resource: ResourceID, at time: Timestamp) async throws(AgentStoreError) -> Event {
        let body = EventBody.session(SessionEvent(sessionID: UInt64(session.tag), transition: .opened, userID: session.user,
                                                  resourceID: resource, grantID: session.grantID))
        return try await enqueue(body, time: time, copierJobSequence: nil, usage: nil, effect: .openSession(session))
    }

    /// Appends a copier session's "closed" event and marks the session row closed with it.
    @discardableResult
    public func appendSessionClosed(_ session: DurableCopierSession, reason: SessionCloseReason, resource: ResourceID,
                                    at time: Timestamp) async throws(AgentStoreError) -> Event {
        let body = EventBody.session(SessionEvent(sessionID: UInt64(session.tag), transition: .closed(reason), userID: session.user,
                                                  resourceID: resource, grantID: session.grantID))
        return try await enqueue(body, time: time, copierJobSequence: nil, usage: nil, effect: .closeSession(tag: session.tag))
    }

    /// The copier session with `tag`; nil when none was written ahead under it.
    public func copierSession(tag: UInt32) throws(AgentStoreError) -> DurableCopierSession? {
        try read("read copier session \(tag)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM copier_sessions WHERE tag = ?", arguments: [Int64(tag)]).map(Self.session)
        }
    }

    /// Sessions whose "closed" event is not stored: open when the agent stopped (or crashed).
    public func openCopierSessions() throws(AgentStoreError) -> [DurableCopierSession] {
        try read("read open copier sessions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM copier_sessions WHERE closed_at IS NULL ORDER BY tag").map(Self.session)
        }
    }

    /// True when an event for the copier job under `sessionTag` numbered `sequence` is stored.
    public func holdsCopierJob(sessionTag: UInt64, sequence: UInt32) throws(AgentStoreError) -> Bool {
        try read("look up copier job \(sequence)") { db in
            try RecordKey.copierJob(sessionTag: sessionTag, sequence: sequence).isStored(in: db)
        }
    }

    /// The side effects of one committed append (inside its batch's transaction).
    static func apply(_ effect: AppendEffect, body: EventBody, event: Event, in db: Database) throws {
        try RecordKey(body)?.store(eventSequence: event.sequence, in: db)
        switch effect {
        case .none:
            break
        case let .openSession(session):
            try db.execute(
                sql: """
                    INSERT INTO copier_sessions (tag, user_id, grant_id, offline, page_budget, job_at_open, opened_at, opened_event)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [Int64(session.tag), session.user.value, blobValue(session.grantID.bytes), session.offline ? 1 : 0,
                            Int64(session.pageBudget), session.jobAtOpen.map { Int64($0) }, session.openedAt.millisecondsSinceEpoch,
                            storedBits(event.sequence)])
        case let .closeSession(tag):
            try db.execute(sql: "UPDATE copier_sessions SET closed_at = ? WHERE tag = ? AND closed_at IS NULL",
                           arguments: [event.time.millisecondsSinceEpoch, Int64(tag)])
        case let .openSealSession(session):
            try insertSealSession(session, openedEvent: event.sequence, in: db)
        case let .closeSealSession(id):
            try db.execute(sql: "UPDATE seal_sessions SET closed_at = ? WHERE session_id = ? AND closed_at IS NULL",
                           arguments: [event.time.millisecondsSinceEpoch, storedBits(id)])
        }
    }

    private static func session(_ row: Row) throws -> DurableCopierSession {
        let tagValue = try required(row["tag"] as Int64?, table: "copier_sessions", key: "?", column: "tag")
        let key = String(tagValue)
        let tag = try required(UInt32(exactly: tagValue), table: "copier_sessions", key: key, column: "tag")
        let userText = try required(row["user_id"] as String?, table: "copier_sessions", key: key, column: "user_id")
        let user = try required(try? UserID(userText), table: "copier_sessions", key: key, column: "user_id")
        let grantBytes = try required((row["grant_id"] as Data?).map(Array.init), table: "copier_sessions", key: key, column: "grant_id")
        let grantID = try required(try? GrantID(bytes: grantBytes), table: "copier_sessions", key: key, column: "grant_id")
        let budget = try required((row["page_budget"] as Int64?).flatMap { value in UInt32(exactly: value) }, table: "copier_sessions", key: key, column: "page_budget")
        let jobAtOpen = (row["job_at_open"] as Int64?).flatMap { value in UInt32(exactly: value) }
        let openedAt = try required(row["opened_at"] as Int64?, table: "copier_sessions", key: key, column: "opened_at")
        return DurableCopierSession(
            tag: tag, user: user, grantID: grantID, offline: (row["offline"] as Int64?) == 1, pageBudget: budget, jobAtOpen: jobAtOpen,
            openedAt: Timestamp(millisecondsSinceEpoch: openedAt), closed: (row["closed_at"] as Int64?) != nil
        )
    }
}
