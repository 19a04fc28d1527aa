import GRDB
import Protocol

extension AgentStore {
    /// Appends an event at the end of the chain: the next sequence number, the previous
    /// event's hash, `time`. Returns once the event is durably stored (one fsync shared with
    /// every append committed in the same batch).
    @discardableResult
    public func append(_ body: EventBody, at time: Timestamp) async throws(AgentStoreError) -> Event {
        try await enqueue(body, time: time, copierJobSequence: nil, usage: nil)
    }

    /// Appends the event recording a copier job and, in the same transaction, stores
    /// `copierJobSequence` as the last job read from the copier (docs/modbus-map.md, "How the
    /// agent reads every job once"), and adds `usage` to the user's limit grant usage. After a
    /// crash either all three are stored or none.
    ///
    /// `body` is usually the copy job; a fault recording lost jobs, or a counter that went back,
    /// moves `lastSeen` the same way. A copy job must carry the same job sequence.
    @discardableResult
    public func appendJob(
        _ body: EventBody, copierJobSequence: UInt32, usage: LimitUsage? = nil, at time: Timestamp
    ) async throws(AgentStoreError) -> Event {
        if case let .copyJob(job) = body, job.copierJobSequence != copierJobSequence {
            throw .invalid(what: "event", reason: "the copy job is copier job \(job.copierJobSequence), not \(copierJobSequence)")
        }
        return try await enqueue(body, time: time, copierJobSequence: copierJobSequence, usage: usage)
    }

    /// The copier job sequence stored with the last `appendJob`; nil before the first.
    public func lastSeenCopierJob() throws(AgentStoreError) -> UInt32? {
        try read("read the last copier job") { db in
            let row = try Row.fetchOne(db, sql: "SELECT last_seen_job FROM agent_state WHERE id = 1")
            guard let row, !row.isNull(0) else { return nil }
            let value = try required(row.integer(0), table: "agent_state", key: "1", column: "last_seen_job")
            return try required(UInt32(exactly: value), table: "agent_state", key: "1", column: "last_seen_job")
        }
    }

    /// Up to `limit` events in order, from sequence `from` on.
    public func events(from: UInt64, limit: Int) throws(AgentStoreError) -> [Event] {
        guard limit > 0 else { return [] }
        return try read("read events from \(from)") { db in
            try Self.fetchEvents(db, after: from == 0 ? 0 : from - 1, limit: limit)
        }
    }

    /// The last committed event; nil while the chain is empty.
    public func lastEvent() -> Event? { chain.withLock { $0.head } }

    /// The number of committed events, which is also the last sequence number.
    public var eventCount: UInt64 { chain.withLock { $0.head?.sequence ?? 0 } }

    // MARK: Outbox

    /// Up to `limit` events the server has not acknowledged, in order.
    public func unacknowledged(limit: Int) throws(AgentStoreError) -> [Event] {
        guard limit > 0 else { return [] }
        return try read("read unacknowledged events") { db in
            let acknowledged = try Self.acknowledged(db)
            return try Self.fetchEvents(db, after: acknowledged, limit: limit)
        }
    }

    /// Records that the server holds every event up to `upTo`. An ack below the current one is
    /// ignored (acks only move forward); one beyond the last event is refused. Nothing is
    /// deleted: the device keeps its history for bills (SPEC C1, C3).
    public func acknowledge(upTo: UInt64) throws(AgentStoreError) {
        try write("acknowledge events up to \(upTo)") { db in
            let row = try Row.fetchOne(db, sql: "SELECT head_sequence, acknowledged FROM agent_state WHERE id = 1")
            let head = unsigned(try required(row?.integer(0), table: "agent_state", key: "1", column: "head_sequence"))
            let current = unsigned(try required(row?.integer(1), table: "agent_state", key: "1", column: "acknowledged"))
            guard upTo <= head else { throw AgentStoreError.ackBeyondEnd(ack: upTo, last: head) }
            guard upTo > current else { return }
            try db.execute(sql: "UPDATE agent_state SET acknowledged = ? WHERE id = 1", arguments: [storedBits(upTo)])
        }
    }

    /// The highest sequence the server has acknowledged; 0 before the first ack.
    public func acknowledgedSequence() throws(AgentStoreError) -> UInt64 {
        try read("read the acknowledged sequence") { db in try Self.acknowledged(db) }
    }

    static func acknowledged(_ db: Database) throws -> UInt64 {
        let row = try Row.fetchOne(db, sql: "SELECT acknowledged FROM agent_state WHERE id = 1")
        return unsigned(try required(row?.integer(0), table: "agent_state", key: "1", column: "acknowledged"))
    }

    /// Events with a sequence above `after`, in order; a row that does not decode to the
    /// event it is filed under is damage.
    static func fetchEvents(_ db: Database, after: UInt64, limit: Int) throws -> [Event] {
        let rows = try Row.fetchCursor(db, sql: "SELECT sequence, bytes FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
                                       arguments: [storedBits(after), limit])
        var events: [Event] = []
        while let row = try rows.next() {
            let sequence = unsigned(try required(row.integer(0), table: "events", key: "?", column: "sequence"))
            let bytes = try required(row.bytes(1), table: "events", key: "\(sequence)", column: "bytes")
            let event: Event
            do {
                event = try Event(wireBytes: bytes)
            } catch {
                throw AgentStoreError.damaged(.eventUndecodable(sequence: sequence, error))
            }
            guard event.sequence == sequence else {
                throw AgentStoreError.damaged(.eventMisnumbered(row: sequence, encoded: event.sequence))
            }
            events.append(event)
        }
        return events
    }
}
