import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func createSplitJob(_ job: SplitJob, pdfs: [[UInt8]], notices: [Notice], audit: AuditRecord) async throws {
        precondition(pdfs.count == job.parts.count, "one PDF per part")
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO split_jobs (id, requester, device_id, title, page_count, created, deadline) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [job.id, job.requester.value, job.device.value, job.title, job.pageCount, job.created.millisecondsSinceEpoch, job.deadline.millisecondsSinceEpoch]
            )
            for (part, pdf) in zip(job.parts, pdfs) {
                try db.execute(
                    sql: """
                    INSERT INTO split_parts (job_id, part, first_page, last_page, copies, colour, paper_size, paper_type, pdf_size, pdf_sha256, pdf)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [job.id, part.index, part.pages.first, part.pages.last, part.copies, part.method.colour ? 1 : 0,
                                Int64(part.method.paperSize.rawValue), part.method.paperType, part.pdfSize, Data(part.pdfHash.bytes), Data(pdf)]
                )
                for share in part.payers {
                    try db.execute(
                        sql: "INSERT INTO split_payers (job_id, part, payer, percent, state, state_at, requests) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [job.id, part.index, share.payer.value, share.percent, share.state.rawValue, share.stateAt.millisecondsSinceEpoch, share.requests]
                    )
                }
            }
            try Self.insertNotices(notices, in: db)
            try Self.insertAudit(audit, in: db)
        }
    }

    public func splitJob(id: String) async throws -> SplitJob? {
        try await pool.read { db in try Self.splitJob(id, in: db) }
    }

    public func splitJobs(involving user: UserID?, limit: Int) async throws -> [SplitJob] {
        try await pool.read { db in
            let ids: [String]
            if let user {
                ids = try String.fetchAll(db, sql: """
                    SELECT id FROM split_jobs WHERE requester = ? OR id IN (SELECT job_id FROM split_payers WHERE payer = ?)
                    ORDER BY created DESC, id LIMIT ?
                    """, arguments: [user.value, user.value, max(0, limit)])
            } else {
                ids = try String.fetchAll(db, sql: "SELECT id FROM split_jobs ORDER BY created DESC, id LIMIT ?", arguments: [max(0, limit)])
            }
            return try ids.compactMap { try Self.splitJob($0, in: db) }
        }
    }

    public func splitPartPDF(job: String, part: Int) async throws -> [UInt8]? {
        try await pool.read { db in
            (try Data.fetchOne(db, sql: "SELECT pdf FROM split_parts WHERE job_id = ? AND part = ?", arguments: [job, part])).map { Array($0) }
        }
    }

    public func saveSplitOutcome(_ outcome: SplitJobFlow.Outcome, expected: SplitJob, charges: [SplitCharge], audit: [AuditRecord]) async throws {
        try await pool.write { db in
            guard let stored = try Self.splitJob(expected.id, in: db) else { throw StoreError.notFound("split job \(expected.id)") }
            // Only the parts this outcome writes must be as they were read: another payer's answer
            // or the print of another part does not bear on it (each part is decided on its own).
            let touched = Set(outcome.changed.map(\.part) + outcome.released + outcome.ended)
            guard stored.parts.count == expected.parts.count, touched.allSatisfy({ stored.parts[$0] == expected.parts[$0] }) else {
                throw StoreError.conflict("split job \(expected.id) changed meanwhile; look at it again")
            }
            let job = outcome.job
            for key in outcome.changed {
                guard let share = job.parts[key.part].payers.first(where: { $0.payer == key.payer }) else { continue }
                try db.execute(
                    sql: "UPDATE split_payers SET state = ?, state_at = ?, requests = ? WHERE job_id = ? AND payer = ?",
                    arguments: [share.state.rawValue, share.stateAt.millisecondsSinceEpoch, share.requests, job.id, key.payer.value]
                )
            }
            for index in outcome.released {
                try db.execute(sql: "UPDATE split_parts SET released = ? WHERE job_id = ? AND part = ?",
                               arguments: [job.parts[index].released?.millisecondsSinceEpoch, job.id, index])
            }
            for index in outcome.ended {
                // D4: the part's document is gone; its size and hash stay as the record of what was held.
                try db.execute(sql: "UPDATE split_parts SET ended = ?, data_deleted = ?, pdf = NULL WHERE job_id = ? AND part = ?",
                               arguments: [job.parts[index].ended?.millisecondsSinceEpoch, job.parts[index].dataDeleted?.millisecondsSinceEpoch, job.id, index])
            }
            for charge in charges {
                try Self.insertSplitCharge(charge, job: job.id, in: db)
            }
            try Self.insertNotices(outcome.notices, in: db)
            for record in audit { try Self.insertAudit(record, in: db) }
        }
    }

    public func splitJobsDue(now: Timestamp) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT j.id FROM split_jobs j JOIN split_payers p ON p.job_id = j.id
                JOIN split_parts t ON t.job_id = p.job_id AND t.part = p.part
                WHERE j.deadline <= ? AND p.state IN ('requesting', 'authenticated') AND t.released IS NULL AND t.ended IS NULL
                ORDER BY j.deadline
                """, arguments: [now.millisecondsSinceEpoch])
        }
    }

    public func splitPartsAwaitingDelivery(device: DeviceID) async throws -> [SplitPartDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.job_id, t.part, t.first_page, t.last_page, t.copies, t.colour, t.paper_size, t.pdf_size, t.pdf_sha256
                FROM split_parts t JOIN split_jobs j ON j.id = t.job_id
                WHERE j.device_id = ? AND t.released IS NOT NULL AND t.pdf IS NOT NULL
                ORDER BY t.released, t.job_id, t.part
                """, arguments: [device.value]).map { row in
                let pages = (row["last_page"] as Int) - (row["first_page"] as Int) + 1
                return SplitPartDelivery(
                    job: row["job_id"], part: row["part"], copies: row["copies"], colour: row["colour"] as Int64 == 1,
                    paperSize: try SQLiteRows.paperSize(row["paper_size"]), impressions: pages * (row["copies"] as Int),
                    pdfSize: row["pdf_size"], pdfHash: try SQLiteRows.hash(row["pdf_sha256"], "split_parts.pdf_sha256")
                )
            }
        }
    }

    public func markSplitPartDelivered(job: String, part: Int, pdfHash: Hash32, at: Timestamp, audit: AuditRecord) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE split_parts SET data_deleted = ?, pdf = NULL
                WHERE job_id = ? AND part = ? AND released IS NOT NULL AND pdf IS NOT NULL AND pdf_sha256 = ?
                """, arguments: [at.millisecondsSinceEpoch, job, part, Data(pdfHash.bytes)])
            guard db.changesCount == 1 else { return false }
            try Self.insertAudit(audit, in: db)
            return true
        }
    }

    // MARK: Inside transactions

    static func insertSplitCharge(_ charge: SplitCharge, job: String, in db: Database) throws {
        let at = charge.at.millisecondsSinceEpoch
        try db.execute(
            sql: """
            INSERT INTO jobs (id, device_id, user_id, grant_id, paper_size, colour, pages, copies, duplex, started, ended, colour_pages, mono_pages)
            VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 0, ?, ?, ?, ?)
            """,
            arguments: [charge.id, charge.device.value, charge.payer.value, Int64(charge.paperSize.rawValue), charge.colour ? 1 : 0,
                        charge.pages, charge.copies, at, at, charge.colour ? charge.pages : 0, charge.colour ? 0 : charge.pages]
        )
        try db.execute(sql: "INSERT INTO charges (job_id, user_id, pages, amount, currency, at) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [charge.id, charge.payer.value, charge.pages, charge.amount, charge.currency?.code, at])
        try db.execute(
            sql: "INSERT INTO ledger (user_id, at, kind, pages, amount, currency, job_id, note, actor) VALUES (?, ?, 'use', ?, ?, ?, ?, ?, ?)",
            arguments: [charge.payer.value, at, charge.pages, charge.amount, charge.currency?.code, charge.id, "split job \(job)", "split:\(job)"]
        )
        try db.execute(sql: "UPDATE split_payers SET amount = ?, currency = ? WHERE job_id = ? AND payer = ?",
                       arguments: [charge.amount, charge.currency?.code, job, charge.payer.value])
    }

    static func splitJob(_ id: String, in db: Database) throws -> SplitJob? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM split_jobs WHERE id = ?", arguments: [id]) else { return nil }
        var payers: [Int: [SplitJobPayer]] = [:]
        for payer in try Row.fetchAll(db, sql: "SELECT * FROM split_payers WHERE job_id = ? ORDER BY rowid", arguments: [id]) {
            guard let state = SplitPayerState(rawValue: payer["state"]) else { throw StoreError.corrupt("split_payers.state") }
            payers[payer["part"], default: []].append(SplitJobPayer(
                payer: try SQLiteRows.userID(payer["payer"], "split_payers.payer"), percent: payer["percent"], state: state,
                stateAt: Timestamp(millisecondsSinceEpoch: payer["state_at"]), requests: payer["requests"],
                amount: payer["amount"], currency: try SQLiteRows.currency(payer["currency"])
            ))
        }
        let parts = try Row.fetchAll(db, sql: """
            SELECT part, first_page, last_page, copies, colour, paper_size, paper_type, released, ended, data_deleted, pdf_size, pdf_sha256
            FROM split_parts WHERE job_id = ? ORDER BY part
            """, arguments: [id]).map { part in
            SplitJobPart(
                index: part["part"], pages: PageRange(first: part["first_page"], last: part["last_page"]), copies: part["copies"],
                method: PrintMethod(colour: part["colour"] as Int64 == 1, paperSize: try SQLiteRows.paperSize(part["paper_size"]), paperType: part["paper_type"]),
                payers: payers[part["part"]] ?? [], released: SQLiteRows.timestamp(part["released"]), ended: SQLiteRows.timestamp(part["ended"]),
                dataDeleted: SQLiteRows.timestamp(part["data_deleted"]), pdfSize: part["pdf_size"],
                pdfHash: try SQLiteRows.hash(part["pdf_sha256"], "split_parts.pdf_sha256")
            )
        }
        return SplitJob(
            id: id, requester: try SQLiteRows.userID(row["requester"], "split_jobs.requester"),
            device: try SQLiteRows.deviceID(row["device_id"], "split_jobs.device_id"), title: row["title"], pageCount: row["page_count"],
            created: Timestamp(millisecondsSinceEpoch: row["created"]), deadline: Timestamp(millisecondsSinceEpoch: row["deadline"]), parts: parts
        )
    }
}
