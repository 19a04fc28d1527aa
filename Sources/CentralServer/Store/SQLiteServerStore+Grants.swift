import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func recordIssuedGrants(_ grants: [IssuedGrant]) async throws {
        guard !grants.isEmpty else { return }
        try await pool.write { db in
            for grant in grants {
                // The application was read as approved before the grant was signed; a revocation
                // may have committed since. Writes are serial, so checked here either the
                // revocation came first (the grant is refused) or it comes after and finds this
                // grant in grants_issued (and revokes it): none escapes (SPEC E7).
                if grant.kind == .access, let application = grant.applicationID,
                   try String.fetchOne(db, sql: "SELECT status FROM seal_applications WHERE id = ?", arguments: [application.value]) == "revoked" {
                    throw ApplicationRevokedError(application: application)
                }
                try db.execute(
                    sql: """
                    INSERT INTO grants_issued (grant_id, kind, key_id, user_id, device_id, resource_id, issued_at, expires,
                                               pages, copies, colour, seal_uses, available, application_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [
                        Data(grant.grantID.bytes), grant.kind.rawValue, Data(grant.keyID.bytes), grant.userID.value,
                        grant.deviceID.value, grant.resourceID?.value, grant.issuedAt.millisecondsSinceEpoch,
                        grant.expires.millisecondsSinceEpoch, grant.allowance.map { Int64($0.pages) },
                        grant.allowance.map { Int64($0.copies) }, grant.allowance.map { $0.colourAllowed ? 1 : 0 },
                        grant.allowance.map { Int64($0.sealUses) }, grant.available, grant.applicationID?.value,
                    ]
                )
            }
        }
    }

    public func issuedGrants(userID: UserID?, limit: Int) async throws -> [IssuedGrant] {
        try await pool.read { db in
            let filter = userID == nil ? "" : "WHERE user_id = ?"
            var arguments: StatementArguments = userID.map { [$0.value] } ?? []
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT * FROM grants_issued \(filter) ORDER BY issued_at DESC LIMIT ?", arguments: arguments)
                .map(Self.issuedGrant)
        }
    }

    public func issuedGrant(id: GrantID) async throws -> IssuedGrant? {
        try await pool.read { db in try Self.issuedGrant(id: id, in: db) }
    }

    static func issuedGrant(id: GrantID, in db: Database) throws -> IssuedGrant? {
        try Row.fetchOne(db, sql: "SELECT * FROM grants_issued WHERE grant_id = ?", arguments: [Data(id.bytes)]).map(issuedGrant)
    }

    public func claimPINAttempt(userID: UserID, deviceID: DeviceID, at: Timestamp, userSince: Timestamp, deviceSince: Timestamp,
                                locked: @Sendable ([Timestamp], [Timestamp]) -> Bool) async throws -> PINAttemptClaim {
        try await pool.write { db in
            let userFailures = try Self.pinFailures(db, column: "user_id", userID.value, since: userSince)
            let deviceFailures = try Self.pinFailures(db, column: "device_id", deviceID.value, since: deviceSince)
            guard !locked(userFailures, deviceFailures) else {
                return PINAttemptClaim(counted: false, userFailures: userFailures, deviceFailures: deviceFailures)
            }
            try db.execute(sql: "INSERT INTO pin_failures (user_id, device_id, at) VALUES (?, ?, ?)",
                           arguments: [userID.value, deviceID.value, at.millisecondsSinceEpoch])
            // Rate limiting looks back minutes; a day is plenty and keeps the table small.
            try db.execute(sql: "DELETE FROM pin_failures WHERE at < ?", arguments: [at.millisecondsSinceEpoch - 86_400_000])
            return PINAttemptClaim(counted: true, userFailures: userFailures, deviceFailures: deviceFailures)
        }
    }

    private static func pinFailures(_ db: Database, column: String, _ value: String, since: Timestamp) throws -> [Timestamp] {
        try Int64.fetchAll(db, sql: "SELECT at FROM pin_failures WHERE \(column) = ? AND at >= ? ORDER BY at", arguments: [value, since.millisecondsSinceEpoch])
            .map { Timestamp(millisecondsSinceEpoch: $0) }
    }

    public func pinFailures(userID: UserID, since: Timestamp) async throws -> [Timestamp] {
        try await pool.read { db in try Self.pinFailures(db, column: "user_id", userID.value, since: since) }
    }

    public func pinFailures(deviceID: DeviceID, since: Timestamp) async throws -> [Timestamp] {
        try await pool.read { db in try Self.pinFailures(db, column: "device_id", deviceID.value, since: since) }
    }

    public func clearPINFailures(userID: UserID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM pin_failures WHERE user_id = ?", arguments: [userID.value])
        }
    }

    static func issuedGrant(_ row: Row) throws -> IssuedGrant {
        guard let grantID = try? GrantID(bytes: Array(row["grant_id"] as Data)),
              let keyID = try? KeyID(bytes: Array(row["key_id"] as Data)),
              let kind = IssuedGrant.Kind(rawValue: row["kind"])
        else { throw StoreError.corrupt("grants_issued") }
        var allowance: Allowance?
        if let pages = row["pages"] as Int64?, let copies = row["copies"] as Int64?, let sealUses = row["seal_uses"] as Int64? {
            allowance = Allowance(
                pages: UInt32(clamping: pages), copies: UInt32(clamping: copies),
                colourAllowed: (row["colour"] as Int64?) == 1, sealUses: UInt32(clamping: sealUses)
            )
        }
        let resource = row["resource_id"] as String?
        return IssuedGrant(
            grantID: grantID, kind: kind, keyID: keyID,
            userID: try SQLiteRows.userID(row["user_id"], "grants_issued.user_id"),
            deviceID: try SQLiteRows.deviceID(row["device_id"], "grants_issued.device_id"),
            resourceID: try resource.map { text in
                guard let id = try? ResourceID(text) else { throw StoreError.corrupt("grants_issued.resource_id") }
                return id
            },
            issuedAt: Timestamp(millisecondsSinceEpoch: row["issued_at"]), expires: Timestamp(millisecondsSinceEpoch: row["expires"]),
            allowance: allowance, available: row["available"],
            applicationID: (row["application_id"] as String?).flatMap { try? ApplicationID($0) }
        )
    }
}

/// A seal grant was about to be recorded for an application revoked after its facts were read:
/// the grant is not handed out (GrantService answers `applicationRevoked`).
public struct ApplicationRevokedError: Error, Hashable, Sendable {
    public let application: ApplicationID
}
