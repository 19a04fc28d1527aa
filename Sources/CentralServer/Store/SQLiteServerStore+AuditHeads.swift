import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func currentAuditHead() async throws -> (sequence: UInt64, hash: Hash32)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1") else { return nil }
            return (UInt64(max(0, row["sequence"] as Int64)), try SQLiteRows.hash(row["hash"], "audit_log.hash"))
        }
    }

    public func appendSignedAuditHead(_ signed: SignedAuditHead) async throws {
        let head = signed.head
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO audit_heads (sequence, hash, signed_at, key_id, token) VALUES (?, ?, ?, ?, ?)",
                arguments: [Int64(clamping: head.sequence), Data(head.hash.bytes), head.signedAt.millisecondsSinceEpoch,
                            Data(head.keyID.bytes), Data(signed.wireBytes())]
            )
        }
    }

    public func latestSignedAuditHead() async throws -> SignedAuditHead? {
        let token = try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT token FROM audit_heads ORDER BY id DESC LIMIT 1")
        }
        guard let token else { return nil }
        do { return try SignedAuditHead.decode(Array(token)) } catch { throw StoreError.corrupt("audit_heads.token: \(error)") }
    }
}
