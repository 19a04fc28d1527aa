import GRDB
import Protocol

// MARK: Used grant ids (F2: the replay guard)

extension AgentStore: UsedGrantIDs {
    /// Records that the agent acted on grant `id`, to be remembered until `until` (the grant's
    /// expiry plus the clock skew, `GrantVerifier.usedIDRetention(for:)`). Marking it again
    /// keeps the later of the two times.
    public func markGrantUsed(_ id: GrantID, until: Timestamp) throws(AgentStoreError) {
        try write("mark grant \(id) used") { db in
            try db.execute(
                sql: """
                    INSERT INTO used_grants (grant_id, until) VALUES (?, ?)
                    ON CONFLICT (grant_id) DO UPDATE SET until = max(until, excluded.until)
                    """,
                arguments: [blobValue(id.bytes), until.millisecondsSinceEpoch])
        }
    }

    /// True when grant `id` is recorded as used.
    public func isGrantUsed(_ id: GrantID) throws(AgentStoreError) -> Bool {
        try read("look up used grant \(id)") { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM used_grants WHERE grant_id = ?", arguments: [blobValue(id.bytes)]) ?? false
        }
    }

    /// `UsedGrantIDs` for `GrantVerifier`. Fails closed: when the store cannot answer, the
    /// grant counts as used, so an unreadable store refuses grants instead of replaying them.
    public func contains(_ grantID: GrantID) -> Bool {
        (try? isGrantUsed(grantID)) ?? true
    }

    /// Forgets the used ids whose `until` is before `before`: those grants have expired beyond
    /// the clock skew and are refused as expired anyway. Returns how many were forgotten.
    @discardableResult
    public func pruneUsedGrants(before: Timestamp) throws(AgentStoreError) -> Int {
        try write("prune used grants") { db in
            try db.execute(sql: "DELETE FROM used_grants WHERE until < ?", arguments: [before.millisecondsSinceEpoch])
            return db.changesCount
        }
    }
}

// MARK: Limit grants and their usage (B3)

extension AgentStore {
    /// Keeps the limit grant `token` as `user`'s if it was issued after the one held (by its
    /// `issued at`); an older or equally old one is ignored. Returns true when it was kept.
    /// The token must decode and be for `user` on this device; the caller has verified its
    /// signature (`GrantVerifier`).
    @discardableResult
    public func storeLimitGrant(token: [UInt8], for user: UserID) throws(AgentStoreError) -> Bool {
        let grant: LimitGrant
        do {
            grant = try SignedLimitGrant(wireBytes: token).limitGrant
        } catch {
            throw .invalid(what: "limit grant", reason: "\(error)")
        }
        guard grant.userID == user else { throw .invalid(what: "limit grant", reason: "it is for user \(grant.userID), not \(user)") }
        guard grant.deviceID == deviceID else {
            throw .invalid(what: "limit grant", reason: "it is for device \(grant.deviceID), not \(deviceID)")
        }
        return try write("store the limit grant of \(user)") { db in
            let held = try Int64.fetchOne(db, sql: "SELECT issued_at FROM limit_grants WHERE user_id = ?", arguments: [user.value])
            if let held, held >= grant.issuedAt.millisecondsSinceEpoch { return false }
            try db.execute(
                sql: "INSERT OR REPLACE INTO limit_grants (user_id, grant_id, issued_at, token) VALUES (?, ?, ?, ?)",
                arguments: [user.value, blobValue(grant.grantID.bytes), grant.issuedAt.millisecondsSinceEpoch, blobValue(token)])
            // The server computed the grant from the jobs it held; the ones it has not
            // acknowledged may be missing from it, so they count as used already (H1: a job
            // recorded while the server was away, or not yet forwarded, never buys pages twice).
            let pending = try Self.unacknowledgedCost(of: user, under: grant, in: db)
            if pending > 0 { try Self.addUsage(LimitUsage(user: user, limitGrantID: grant.grantID, amount: pending), in: db) }
            return true
        }
    }

    /// What the copy jobs of `user` that the server has not acknowledged cost under `grant`.
    static func unacknowledgedCost(of user: UserID, under grant: LimitGrant, in db: Database) throws -> UInt64 {
        let rows = try Row.fetchCursor(db, sql: "SELECT bytes FROM events WHERE sequence > ? AND kind = ?",
                                       arguments: [storedBits(try acknowledged(db)), Int64(EventKind.copyJob.rawValue)])
        var total: UInt64 = 0
        while let row = try rows.next() {
            guard let bytes = row.bytes(0), case let .copyJob(job) = try? Event(wireBytes: bytes).body, job.userID == user else { continue }
            let cost = grant.cost(colourPages: job.colourPages, monoPages: job.monoPages, paperSize: job.paperSize)
            total = total.addingReportingOverflow(cost).overflow ? .max : total + cost
        }
        return total
    }

    /// The token of `user`'s newest limit grant; nil when none is held.
    public func limitGrant(for user: UserID) throws(AgentStoreError) -> [UInt8]? {
        try read("read the limit grant of \(user)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT token FROM limit_grants WHERE user_id = ?", arguments: [user.value]) else {
                return nil
            }
            return try required(row.bytes(0), table: "limit_grants", key: user.value, column: "token")
        }
    }

    /// Adds `amount` (in the limit grant's unit) to what `user` has used since limit grant
    /// `limitGrantID` was issued; returns the new total, which saturates at `UInt64.max`.
    /// Usage recorded with a copy job belongs in `appendJob(_:copierJobSequence:usage:at:)`.
    @discardableResult
    public func addUsage(user: UserID, limitGrantID: GrantID, amount: UInt64) throws(AgentStoreError) -> UInt64 {
        try write("add usage to limit grant \(limitGrantID)") { db in
            try Self.addUsage(LimitUsage(user: user, limitGrantID: limitGrantID, amount: amount), in: db)
        }
    }

    /// What was used since limit grant `limitGrantID` was issued; 0 when nothing was recorded.
    public func usageSince(limitGrantID: GrantID) throws(AgentStoreError) -> UInt64 {
        try read("read usage of limit grant \(limitGrantID)") { db in try Self.usedAmount(of: limitGrantID, in: db) }
    }

    @discardableResult
    static func addUsage(_ usage: LimitUsage, in db: Database) throws -> UInt64 {
        let (total, overflow) = try usedAmount(of: usage.limitGrantID, in: db).addingReportingOverflow(usage.amount)
        let saturated = overflow ? UInt64.max : total
        try db.execute(
            sql: """
                INSERT INTO limit_usage (grant_id, user_id, used) VALUES (?, ?, ?)
                ON CONFLICT (grant_id) DO UPDATE SET used = excluded.used
                """,
            arguments: [blobValue(usage.limitGrantID.bytes), usage.user.value, storedBits(saturated)])
        return saturated
    }

    private static func usedAmount(of grantID: GrantID, in db: Database) throws -> UInt64 {
        guard let row = try Row.fetchOne(db, sql: "SELECT used FROM limit_usage WHERE grant_id = ?", arguments: [blobValue(grantID.bytes)]) else {
            return 0
        }
        return unsigned(try required(row.integer(0), table: "limit_usage", key: grantID.description, column: "used"))
    }
}

// MARK: Revocation list and server keys

extension AgentStore {
    /// Keeps the revocation list `token` if its version is above the one held (any version
    /// when none is held); returns true when it was kept. The caller has verified it
    /// (`RevocationState.apply`).
    @discardableResult
    public func storeRevocationList(token: [UInt8]) throws(AgentStoreError) -> Bool {
        let list: RevocationList
        do {
            list = try SignedRevocationList(wireBytes: token).revocationList
        } catch {
            throw .invalid(what: "revocation list", reason: "\(error)")
        }
        return try write("store revocation list version \(list.version)") { db in
            if let held = try Int64.fetchOne(db, sql: "SELECT version FROM revocation_list WHERE id = 1"), unsigned(held) >= list.version {
                return false
            }
            try db.execute(sql: "INSERT OR REPLACE INTO revocation_list (id, version, token) VALUES (1, ?, ?)",
                           arguments: [storedBits(list.version), blobValue(token)])
            return true
        }
    }

    /// The token of the newest revocation list held; nil before the first.
    public func revocationList() throws(AgentStoreError) -> [UInt8]? {
        try read("read the revocation list") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT token FROM revocation_list WHERE id = 1") else { return nil }
            return try required(row.bytes(0), table: "revocation_list", key: "1", column: "token")
        }
    }

    /// Replaces the trusted server keys with `keys` (each with its valid-until, if retired).
    public func storeServerKeys(_ keys: [TrustedKey]) throws(AgentStoreError) {
        try write("store \(keys.count) server key(s)") { db in
            try db.execute(sql: "DELETE FROM server_keys")
            for key in TrustedKeys(keys).all {
                try db.execute(sql: "INSERT INTO server_keys (key_id, public_key, valid_until) VALUES (?, ?, ?)",
                               arguments: [blobValue(key.keyID.bytes), blobValue(key.publicKey.bytes), key.validUntil?.millisecondsSinceEpoch])
            }
        }
    }

    /// The trusted server keys; empty before the first `storeServerKeys`.
    public func serverKeys() throws(AgentStoreError) -> TrustedKeys {
        try read("read the server keys") { db in
            var keys = TrustedKeys()
            for row in try Row.fetchAll(db, sql: "SELECT key_id, public_key, valid_until FROM server_keys ORDER BY key_id") {
                let keyID = Hex.encode(row.bytes(0) ?? [])
                let bytes = try required(row.bytes(1), table: "server_keys", key: keyID, column: "public_key")
                let key = try required(try? PublicKey(bytes: bytes), table: "server_keys", key: keyID, column: "public_key")
                let validUntil = row.isNull(2) ? nil
                    : Timestamp(millisecondsSinceEpoch: try required(row.integer(2), table: "server_keys", key: keyID, column: "valid_until"))
                keys.insert(TrustedKey(key, validUntil: validUntil))
            }
            return keys
        }
    }
}
