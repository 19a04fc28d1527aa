import GRDB
import Protocol

// MARK: The server's audit head, kept outside the server (issue 14)

extension AgentStore {
    /// The newest signed audit head kept; nil before the first.
    public func auditHead() throws(AgentStoreError) -> SignedAuditHead? {
        try read("read the audit head") { db in try Self.heldAuditHead(db) }
    }

    /// Keeps `signed` (its signature already checked) if it moves forward from the one held;
    /// decided and written in one transaction. A head that goes back, or names another hash
    /// for the held sequence, is not kept: the answer is `.alarm`, and the held head stays.
    @discardableResult
    public func keepAuditHead(_ signed: SignedAuditHead, at time: Timestamp) throws(AgentStoreError) -> AuditHeadSuccession {
        try write("keep the audit head at entry \(signed.head.sequence)") { db in
            let decision = AuditHeadSuccession.decide(held: try Self.heldAuditHead(db)?.head, received: signed.head)
            if decision == .advance {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO audit_head (id, sequence, token, received_at) VALUES (1, ?, ?, ?)",
                    arguments: [Int64(bitPattern: signed.head.sequence), blobValue(signed.wireBytes()), time.millisecondsSinceEpoch]
                )
            }
            return decision
        }
    }

    private static func heldAuditHead(_ db: Database) throws -> SignedAuditHead? {
        guard let row = try Row.fetchOne(db, sql: "SELECT token FROM audit_head WHERE id = 1") else { return nil }
        let token = try required(row.bytes(0), table: "audit_head", key: "1", column: "token")
        return try required(try? SignedAuditHead.decode(token), table: "audit_head", key: "1", column: "token")
    }
}
