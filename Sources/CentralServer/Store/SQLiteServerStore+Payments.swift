import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func ledgerChanges(after id: Int64) async throws -> LedgerChanges {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, user_id FROM ledger WHERE id > ? AND kind <> 'use' ORDER BY id", arguments: [id]
            )
            var users: Set<UserID> = []
            for row in rows { users.insert(try SQLiteRows.userID(row["user_id"], "ledger.user_id")) }
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM ledger") ?? 0
            return LedgerChanges(lastID: max(id, last), users: users)
        }
    }

    public func latestLedgerID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM ledger") ?? 0 }
    }

    public func paymentWebhook(key: String) async throws -> WebhookAnswer? {
        try await pool.read { db in try Self.webhookAnswer(key: key, in: db) }
    }

    /// Records a webhook delivery by idempotency key: its answer and, for an accepted payment, its
    /// ledger entry, in one transaction. When the key is already recorded (a duplicate that
    /// raced this one) nothing is written and the recorded answer is returned.
    public func recordPaymentWebhook(key: String, bodyHash: Hash32, entry: LedgerEntry?, status: Int, answer: String, at: Timestamp) async throws -> WebhookAnswer {
        try await pool.write { db in
            if let existing = try Self.webhookAnswer(key: key, in: db) { return existing }
            var ledgerID: Int64?
            if let entry {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [entry.userID.value]) != nil else {
                    throw StoreError.notFound("user \(entry.userID)")
                }
                ledgerID = try Self.insertLedger(entry, in: db)
            }
            try db.execute(
                sql: "INSERT INTO payment_webhooks (idempotency_key, body_hash, ledger_id, status, answer, received) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key, Data(bodyHash.bytes), ledgerID, status, answer, at.millisecondsSinceEpoch]
            )
            return WebhookAnswer(key: key, bodyHash: bodyHash, ledgerID: ledgerID, status: status, answer: answer, duplicate: false)
        }
    }

    private static func webhookAnswer(key: String, in db: Database) throws -> WebhookAnswer? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM payment_webhooks WHERE idempotency_key = ?", arguments: [key]) else { return nil }
        let hashBytes = [UInt8](row["body_hash"] as Data)
        guard let hash = try? Hash32(bytes: hashBytes) else { throw StoreError.corrupt("payment_webhooks.body_hash") }
        return WebhookAnswer(key: key, bodyHash: hash, ledgerID: row["ledger_id"], status: row["status"], answer: row["answer"], duplicate: true)
    }
}
