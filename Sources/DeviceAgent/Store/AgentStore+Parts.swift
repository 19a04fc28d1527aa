import GRDB
import Protocol

/// A released split part as the agent holds it (docs/print-port.md, "Locked copier").
public struct StoredPart: Hashable, Sendable {
    public enum State: String, Sendable {
        /// Whole and checked; not yet sent to the print port.
        case received
        /// Sent (or being sent) to the print port under `sessionTag`: never sent again.
        case printing
        /// Answered: `done` is what the server is told.
        case done
    }

    public let offer: UplinkMessage.PartOffer
    /// The PDF while not done.
    public let pdf: [UInt8]?
    public let state: State
    public let sessionTag: UInt32?
    public let done: UplinkMessage.PartDone?
}

extension AgentStore {
    /// Keeps a part that arrived whole (its size and hash checked by the caller). False when a
    /// part with this id is already held: it is printed once only, whatever the server resends.
    @discardableResult
    public func storeReceivedPart(_ offer: UplinkMessage.PartOffer, pdf: [UInt8], at time: Timestamp) throws(AgentStoreError) -> Bool {
        try write("store split part \(offer.partID)") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO split_parts (part_id, offer, pdf, received, state) VALUES (?, ?, ?, ?, 'received')",
                           arguments: [offer.partID, blobValue(offer.wireBytes()), blobValue(pdf), time.millisecondsSinceEpoch])
            return db.changesCount == 1
        }
    }

    public func storedPart(_ partID: String) throws(AgentStoreError) -> StoredPart? {
        try read("look up split part \(partID)") { db in
            try Row.fetchOne(db, sql: "SELECT offer, pdf, state, session_tag, done, part_id FROM split_parts WHERE part_id = ?", arguments: [partID])
                .map { row throws(AgentStoreError) in try Self.part(row) }
        }
    }

    /// Parts in `state`, oldest first.
    public func storedParts(_ state: StoredPart.State) throws(AgentStoreError) -> [StoredPart] {
        try read("list split parts") { db in
            try Row.fetchAll(db, sql: "SELECT offer, pdf, state, session_tag, done, part_id FROM split_parts WHERE state = ? ORDER BY received, part_id",
                             arguments: [state.rawValue])
                .map { row throws(AgentStoreError) in try Self.part(row) }
        }
    }

    /// Committed before the first byte goes to the print port: from here on the part is never
    /// sent again, even after a crash (printed once, at the cost of asking a person if unsure).
    public func markPartPrinting(_ partID: String, sessionTag: UInt32) throws(AgentStoreError) {
        try write("mark split part \(partID) printing") { db in
            try db.execute(sql: "UPDATE split_parts SET state = 'printing', session_tag = ? WHERE part_id = ? AND state = 'received'",
                           arguments: [Int64(sessionTag), partID])
            guard db.changesCount == 1 else { throw AgentStoreError.damaged(.invalidRow(table: "split_parts", key: partID, problem: "not in state received")) }
        }
    }

    /// The part is finished: its PDF is dropped and `done` kept to answer the server (again).
    public func finishPart(_ done: UplinkMessage.PartDone) throws(AgentStoreError) {
        try write("finish split part \(done.partID)") { db in
            try db.execute(sql: "UPDATE split_parts SET state = 'done', pdf = NULL, done = ? WHERE part_id = ?",
                           arguments: [blobValue(done.wireBytes()), done.partID])
        }
    }

    private static func part(_ row: Row) throws(AgentStoreError) -> StoredPart {
        let key = row.text(5) ?? "?"
        let offerBytes = try required(row.bytes(0), table: "split_parts", key: key, column: "offer")
        let stateText = try required(row.text(2), table: "split_parts", key: key, column: "state")
        let offer: UplinkMessage.PartOffer
        do { offer = try UplinkMessage.PartOffer(wireBytes: offerBytes) } catch {
            throw .damaged(.invalidRow(table: "split_parts", key: key, problem: "offer: \(error)"))
        }
        let state = try required(StoredPart.State(rawValue: stateText), table: "split_parts", key: key, column: "state")
        var done: UplinkMessage.PartDone?
        if let bytes = row.bytes(4) {
            do { done = try UplinkMessage.PartDone(wireBytes: bytes) } catch {
                throw .damaged(.invalidRow(table: "split_parts", key: key, problem: "done: \(error)"))
            }
        }
        return StoredPart(offer: offer, pdf: row.bytes(1), state: state, sessionTag: row.integer(3).map { UInt32(truncatingIfNeeded: $0) }, done: done)
    }
}
