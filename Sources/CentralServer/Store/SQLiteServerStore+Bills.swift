import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func billJobs(users: [UserID], start: Timestamp, end: Timestamp) async throws -> [BillSourceJob] {
        try await pool.read { db in
            var jobs: [BillSourceJob] = []
            let statement = try db.cachedStatement(sql: """
                SELECT j.device_id, j.event_sequence, j.user_id, j.started, j.ended, j.pages, j.copies, j.colour_pages, j.mono_pages,
                       j.duplex, j.paper_size, e.bytes
                FROM jobs j JOIN device_events e ON e.device_id = j.device_id AND e.sequence = j.event_sequence
                WHERE j.user_id = ? AND j.ended >= ? AND j.ended < ?
                """)
            for user in users {
                let rows = try Row.fetchCursor(statement, arguments: [user.value, start.millisecondsSinceEpoch, end.millisecondsSinceEpoch])
                while let row = try rows.next() {
                    let device: String = row[0]
                    let sequence: Int64 = row[1]
                    guard let deviceID = try? DeviceID(device), let userID = try? UserID(row[2] as String),
                          let paper = PaperSize(rawValue: UInt8(clamping: row[10] as Int64)) else {
                        throw StoreError.corrupt("jobs row \(device):\(sequence)")
                    }
                    let entry = UsageEntry(
                        deviceID: deviceID, sequence: UInt64(sequence), userID: userID,
                        started: Timestamp(millisecondsSinceEpoch: row[3]), ended: Timestamp(millisecondsSinceEpoch: row[4]),
                        pages: UInt32(clamping: row[5] as Int64), copies: UInt32(clamping: row[6] as Int64),
                        colourPages: UInt32(clamping: row[7] as Int64), monoPages: UInt32(clamping: row[8] as Int64),
                        duplex: (row[9] as Int64) == 1, paperSize: paper
                    )
                    let bytes: Data = row[11]
                    jobs.append(BillSourceJob(entry: entry, event: Array(bytes)))
                }
            }
            return jobs
        }
    }

    public func eventLeafHashes(device: DeviceID, upTo treeSize: UInt64) async throws -> [Hash32] {
        try await pool.read { db in
            var hashes: [Hash32] = []
            hashes.reserveCapacity(Int(clamping: treeSize))
            let rows = try Row.fetchCursor(db, sql: "SELECT bytes FROM device_events WHERE device_id = ? AND sequence <= ? ORDER BY sequence",
                                           arguments: [device.value, Int64(clamping: treeSize)])
            while let row = try rows.next() {
                let bytes: Data = row[0]
                hashes.append(MerkleHash.leaf(Array(bytes)))
            }
            return hashes
        }
    }

    public func storeBill(_ bill: Bill, json: String, issuedBy: String, audit: AuditRecord) async throws {
        try await pool.write { db in
            if let corrects = bill.corrects, try Bool.fetchOne(db, sql: "SELECT 1 FROM bills WHERE id = ?", arguments: [corrects]) == nil {
                throw StoreError.notFound("bill \(corrects)")
            }
            try db.execute(
                sql: """
                INSERT INTO bills (id, account, corrects, period_start, period_end, issued_at, amount, currency, usage_hash, lines, issued_by, json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [bill.id, bill.account, bill.corrects, bill.periodStart, bill.periodEnd, bill.issuedAt, bill.amount, bill.currency,
                            bill.usageHash, bill.lines.count, issuedBy, json]
            )
            try Self.insertAudit(audit, in: db)
        }
    }

    public func nextBillNumber() async throws -> Int {
        try await pool.read { db in (try Int.fetchOne(db, sql: "SELECT count(*) FROM bills") ?? 0) + 1 }
    }

    public func bills(account: String?, limit: Int) async throws -> [BillSummary] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                SELECT id, account, corrects, period_start, period_end, issued_at, amount, currency, usage_hash, lines, issued_by FROM bills
                WHERE (?1 IS NULL OR account = ?1) ORDER BY issued_at DESC, id DESC LIMIT ?2
                """, arguments: [account, max(0, limit)])
            return rows.map { row in
                BillSummary(id: row[0], account: row[1], corrects: row[2], periodStart: row[3], periodEnd: row[4], issuedAt: row[5],
                            amount: row[6], currency: row[7], usageHash: row[8], lines: row[9], issuedBy: row[10])
            }
        }
    }

    public func billJSON(id: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT json FROM bills WHERE id = ?", arguments: [id]) }
    }

    public func checkpoints(device: DeviceID) async throws -> [SignedCheckpoint] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT token FROM device_checkpoints WHERE device_id = ? ORDER BY tree_size", arguments: [device.value]).map { token in
                guard let checkpoint = try? SignedCheckpoint(wireBytes: Array(token)) else { throw StoreError.corrupt("device_checkpoints.token of \(device)") }
                return checkpoint
            }
        }
    }
}
