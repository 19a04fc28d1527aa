import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func createEnrollmentToken(_ token: EnrollmentToken, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO enrollment_tokens (token_hash, name, created_by, created, expires) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    Data(token.tokenHash.bytes), token.name, token.createdBy,
                    token.created.millisecondsSinceEpoch, token.expires.millisecondsSinceEpoch,
                ]
            )
            try Self.insertAudit(audit, in: db)
        }
    }

    public func enrollmentTokens() async throws -> [EnrollmentToken] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM enrollment_tokens ORDER BY created").map(Self.enrollmentToken)
        }
    }

    @discardableResult
    public func enroll(tokenHash: Hash32, device: Device, now: Timestamp, source: String) async throws -> Device {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM enrollment_tokens WHERE token_hash = ?", arguments: [Data(tokenHash.bytes)]) else {
                throw StoreError.enrollment(.unknownToken)
            }
            let token = try Self.enrollmentToken(row)
            if let used = token.used { throw StoreError.enrollment(.tokenUsed(at: used, by: token.usedBy)) }
            guard now < token.expires else { throw StoreError.enrollment(.tokenExpired(at: token.expires)) }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE id = ?", arguments: [device.id.value]) != nil {
                throw StoreError.enrollment(.deviceAlreadyEnrolled(device.id))
            }
            var enrolled = device
            enrolled.name = token.name
            try db.execute(
                sql: """
                INSERT INTO devices (id, name, model, firmware, public_key, enrolled_at, last_seen, state)
                VALUES (?, ?, ?, ?, ?, ?, NULL, ?)
                """,
                arguments: [
                    enrolled.id.value, enrolled.name, enrolled.model, enrolled.firmware, Data(enrolled.publicKey.bytes),
                    now.millisecondsSinceEpoch, enrolled.state.rawValue,
                ]
            )
            for resource in enrolled.resources {
                // Checked in the write transaction, so two enrolments cannot both take an id.
                if let holder = try String.fetchOne(db, sql: "SELECT device_id FROM device_resources WHERE resource_id = ?", arguments: [resource.id.value]) {
                    throw StoreError.enrollment(.resourceAlreadyEnrolled(resource.id, device: try SQLiteRows.deviceID(holder, "device_resources.device_id")))
                }
                try db.execute(
                    sql: "INSERT INTO device_resources (device_id, resource_id, type) VALUES (?, ?, ?)",
                    arguments: [enrolled.id.value, resource.id.value, Int64(resource.type.rawValue)]
                )
            }
            try db.execute(
                sql: "UPDATE enrollment_tokens SET used = ?, used_by = ? WHERE token_hash = ?",
                arguments: [now.millisecondsSinceEpoch, enrolled.id.value, Data(tokenHash.bytes)]
            )
            let record = AuditRecord(
                actor: "enrolment:\(token.name)", source: source, action: "device.enroll", target: "device:\(enrolled.id)",
                details: [
                    "name": enrolled.name, "model": enrolled.model, "firmware": enrolled.firmware,
                    "public_key": Hex.encode(enrolled.publicKey.bytes),
                    "resources": enrolled.resources.map { "\($0.id):\($0.type)" }.joined(separator: ","),
                ],
                at: now
            )
            try Self.insertAudit(record, in: db)
            return Device(
                id: enrolled.id, name: enrolled.name, model: enrolled.model, firmware: enrolled.firmware,
                publicKey: enrolled.publicKey, enrolledAt: now, lastSeen: nil, state: enrolled.state, resources: enrolled.resources
            )
        }
    }

    public func device(id: DeviceID) async throws -> Device? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM devices WHERE id = ?", arguments: [id.value]) else { return nil }
            let resources = try Row.fetchAll(db, sql: "SELECT * FROM device_resources WHERE device_id = ?", arguments: [id.value])
                .map(SQLiteRows.resource)
            return try SQLiteRows.device(row, resources: resources)
        }
    }

    public func devices() async throws -> [Device] {
        try await pool.read { db in
            var resources: [String: [DeviceResource]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM device_resources") {
                resources[row["device_id"], default: []].append(try SQLiteRows.resource(row))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM devices ORDER BY id").map { row in
                try SQLiteRows.device(row, resources: resources[row["id"] as String] ?? [])
            }
        }
    }

    public func setDeviceState(_ id: DeviceID, state: DeviceState, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE devices SET state = ? WHERE id = ?", arguments: [state.rawValue, id.value])
            try Self.requireChange(db, "device \(id)")
            try Self.insertAudit(audit, in: db)
        }
    }

    public func devicePermissions(_ id: DeviceID) async throws -> [DevicePermission] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, department FROM device_permissions WHERE device_id = ? ORDER BY id", arguments: [id.value])
                .map { row in
                    if let user = row["user_id"] as String? { return .user(try SQLiteRows.userID(user, "device_permissions.user_id")) }
                    return .department(row["department"])
                }
        }
    }

    public func setDevicePermissions(_ id: DeviceID, permissions: [DevicePermission], audit: AuditRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE id = ?", arguments: [id.value]) != nil else {
                throw StoreError.notFound("device \(id)")
            }
            try db.execute(sql: "DELETE FROM device_permissions WHERE device_id = ?", arguments: [id.value])
            for permission in permissions {
                switch permission {
                case let .user(user):
                    guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.value]) != nil else {
                        throw StoreError.notFound("user \(user)")
                    }
                    try db.execute(sql: "INSERT INTO device_permissions (device_id, user_id) VALUES (?, ?)", arguments: [id.value, user.value])
                case let .department(name):
                    try db.execute(sql: "INSERT INTO device_permissions (device_id, department) VALUES (?, ?)", arguments: [id.value, name])
                }
            }
            try Self.insertAudit(audit, in: db)
        }
    }

    public func recordDeviceSeen(_ id: DeviceID, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE devices SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?",
                arguments: [at.millisecondsSinceEpoch, id.value]
            )
        }
    }

    static func enrollmentToken(_ row: Row) throws -> EnrollmentToken {
        EnrollmentToken(
            tokenHash: try SQLiteRows.hash(row["token_hash"], "enrollment_tokens.token_hash"),
            name: row["name"],
            createdBy: row["created_by"],
            created: Timestamp(millisecondsSinceEpoch: row["created"]),
            expires: Timestamp(millisecondsSinceEpoch: row["expires"]),
            used: SQLiteRows.timestamp(row["used"]),
            usedBy: try (row["used_by"] as String?).map { try SQLiteRows.deviceID($0, "enrollment_tokens.used_by") }
        )
    }
}
