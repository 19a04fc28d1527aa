import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func prices() async throws -> [Price] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM prices ORDER BY currency, paper_size, colour").map { row in
                guard let currency = try SQLiteRows.currency(row["currency"]) else { throw StoreError.corrupt("prices.currency") }
                return Price(
                    paperSize: try SQLiteRows.paperSize(row["paper_size"]),
                    colour: row["colour"] as Int64 == 1,
                    pricePerPage: UInt32(clamping: row["price"] as Int64),
                    currency: currency
                )
            }
        }
    }

    public func setPrice(_ price: Price, at: Timestamp, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                INSERT INTO prices (paper_size, colour, currency, price, updated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (paper_size, colour, currency) DO UPDATE SET price = excluded.price, updated = excluded.updated
                """,
                arguments: [
                    Int64(price.paperSize.rawValue), price.colour ? 1 : 0, price.currency.code,
                    Int64(price.pricePerPage), at.millisecondsSinceEpoch,
                ]
            )
            try Self.insertAudit(audit, in: db)
        }
    }

    /// The quota's period and unit from `quotas`; its first limit and adjustment are the standing
    /// values in the ledger (the latest `limit` and `overdraft` entries in that unit).
    public func quota(userID: UserID) async throws -> Quota? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM quotas WHERE user_id = ?", arguments: [userID.value]) else { return nil }
            guard let period = QuotaPeriodKind(rawValue: row["period"]) else { throw StoreError.corrupt("quotas.period") }
            let unit = try SQLiteRows.quotaUnit(row["unit"])
            let standing = try Row.fetchAll(
                db, sql: "SELECT * FROM ledger WHERE user_id = ? AND kind IN ('limit', 'overdraft') ORDER BY at, id", arguments: [userID.value]
            ).map(Self.ledgerEntry)
            let values = QuotaLedger.standing(unit: unit, entries: standing, at: Timestamp(millisecondsSinceEpoch: .max))
            return Quota(userID: userID, period: period, unit: unit, firstLimit: values.firstLimit, adjustment: values.overdraft)
        }
    }

    /// Writes the period and unit, and the first limit and adjustment as two standing ledger
    /// entries (`limit`, `overdraft`) by the audit record's actor, with the audit entry, in one
    /// transaction.
    public func setQuota(_ quota: Quota, at: Timestamp, audit: AuditRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [quota.userID.value]) != nil else {
                throw StoreError.notFound("user \(quota.userID)")
            }
            try db.execute(
                sql: """
                INSERT INTO quotas (user_id, period, unit, first_limit, adjustment, updated) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET period = excluded.period, unit = excluded.unit,
                    first_limit = excluded.first_limit, adjustment = excluded.adjustment, updated = excluded.updated
                """,
                arguments: [
                    quota.userID.value, quota.period.rawValue, quota.unit.storedName,
                    quota.firstLimit, quota.adjustment, at.millisecondsSinceEpoch,
                ]
            )
            for (kind, value) in [(LedgerKind.limit, quota.firstLimit), (.overdraft, quota.adjustment)] {
                let entry: LedgerEntry
                switch quota.unit {
                case .pages:
                    entry = LedgerEntry(userID: quota.userID, at: at, kind: kind, pages: value, note: "quota set", actor: audit.actor)
                case let .money(currency):
                    entry = LedgerEntry(userID: quota.userID, at: at, kind: kind, amount: value, currency: currency, note: "quota set", actor: audit.actor)
                }
                _ = try Self.insertLedger(entry, in: db)
            }
            try Self.insertAudit(audit, in: db)
        }
    }

    /// The entries `QuotaLedger.state` needs for `period`: the standing `limit` and `overdraft`
    /// entries written before its end and every entry written in it, oldest first.
    public func quotaEntries(userID: UserID, period: QuotaPeriod) async throws -> [LedgerEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                SELECT * FROM ledger WHERE user_id = ? AND at < ? AND (kind IN ('limit', 'overdraft') OR at >= ?)
                ORDER BY at, id
                """,
                arguments: [userID.value, period.end.millisecondsSinceEpoch, period.start.millisecondsSinceEpoch]
            ).map(Self.ledgerEntry)
        }
    }

    static func insertLedger(_ entry: LedgerEntry, in db: Database) throws -> Int64 {
        try db.execute(
            sql: """
            INSERT INTO ledger (user_id, at, kind, pages, amount, currency, job_id, note, actor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                entry.userID.value, entry.at.millisecondsSinceEpoch, entry.kind.rawValue, entry.pages, entry.amount,
                entry.currency?.code, entry.jobID, entry.note, entry.actor,
            ]
        )
        return db.lastInsertedRowID
    }

    static func ledgerEntry(_ row: Row) throws -> LedgerEntry {
        guard let kind = LedgerKind(rawValue: row["kind"]) else { throw StoreError.corrupt("ledger.kind") }
        return LedgerEntry(
            id: row["id"], userID: try SQLiteRows.userID(row["user_id"], "ledger.user_id"),
            at: Timestamp(millisecondsSinceEpoch: row["at"]), kind: kind, pages: row["pages"], amount: row["amount"],
            currency: try SQLiteRows.currency(row["currency"]), jobID: row["job_id"], note: row["note"], actor: row["actor"]
        )
    }

    @discardableResult
    public func appendLedger(_ entry: LedgerEntry, audit: AuditRecord?) async throws -> Int64 {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [entry.userID.value]) != nil else {
                throw StoreError.notFound("user \(entry.userID)")
            }
            let id = try Self.insertLedger(entry, in: db)
            if let audit { try Self.insertAudit(audit, in: db) }
            return id
        }
    }

    public func ledgerTotals(userID: UserID, unit: QuotaUnit, period: QuotaPeriod) async throws -> LedgerTotals {
        try await pool.read { db in
            let column: String
            var arguments: StatementArguments = [userID.value, period.start.millisecondsSinceEpoch, period.end.millisecondsSinceEpoch]
            var currencyFilter = ""
            switch unit {
            case .pages:
                column = "pages"
            case let .money(currency):
                column = "amount"
                currencyFilter = " AND currency = ?"
                arguments += [currency.code]
            }
            var totals = LedgerTotals.zero
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT kind, TOTAL(\(column)) AS total FROM ledger WHERE user_id = ? AND at >= ? AND at < ?\(currencyFilter) GROUP BY kind",
                arguments: arguments
            )
            for row in rows {
                // TOTAL() is a float that cannot overflow; clamp it back into Int64.
                let total = Self.clampedInt64(row["total"] as Double)
                switch LedgerKind(rawValue: row["kind"]) {
                case .use?: totals.used = total
                case .payment?: totals.payments = total
                case .adjustment?: totals.adjustments = total
                case .limit?, .overdraft?: break
                case nil: throw StoreError.corrupt("ledger.kind")
                }
            }
            return totals
        }
    }

    static func clampedInt64(_ value: Double) -> Int64 {
        if value >= 9.2e18 { return .max }
        if value <= -9.2e18 { return .min }
        return Int64(value.rounded())
    }

    public func ledger(userID: UserID?, limit: Int) async throws -> [LedgerEntry] {
        try await pool.read { db in
            let filter = userID == nil ? "" : "WHERE user_id = ?"
            var arguments: StatementArguments = userID.map { [$0.value] } ?? []
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT * FROM ledger \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map(Self.ledgerEntry)
        }
    }

    public func jobs(limit: Int) async throws -> [JobRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY started DESC LIMIT ?", arguments: [max(0, limit)]).map(Self.jobRecord)
        }
    }

    static func jobRecord(_ row: Row) throws -> JobRecord {
        JobRecord(
            id: row["id"], deviceID: try SQLiteRows.deviceID(row["device_id"], "jobs.device_id"),
            userID: try SQLiteRows.userID(row["user_id"], "jobs.user_id"), grantID: row["grant_id"],
            paperSize: try SQLiteRows.paperSize(row["paper_size"]), colour: row["colour"] as Int64 == 1,
            pages: row["pages"], copies: row["copies"], duplex: row["duplex"] as Int64 == 1,
            started: Timestamp(millisecondsSinceEpoch: row["started"]), ended: Timestamp(millisecondsSinceEpoch: row["ended"])
        )
    }

    public func charges(limit: Int) async throws -> [ChargeRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM charges ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)]).map { row in
                ChargeRecord(
                    id: row["id"], jobID: row["job_id"], userID: try SQLiteRows.userID(row["user_id"], "charges.user_id"),
                    pages: row["pages"], amount: row["amount"], currency: try SQLiteRows.currency(row["currency"]),
                    at: Timestamp(millisecondsSinceEpoch: row["at"])
                )
            }
        }
    }
}
