import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func addFirmwareImage(_ image: NewFirmwareImage, by person: String, at: Timestamp, audit: AuditRecord) async throws -> FirmwareImageRecord {
        let hash = Hash32.sha256(image.bytes)
        return try await pool.write { db in
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM firmware_images WHERE sha256 = ?", arguments: [Data(hash.bytes)]) {
                throw StoreError.conflict("this image (SHA-256 \(hash)) is already stored as firmware image \(existing)")
            }
            try db.execute(
                sql: """
                INSERT INTO firmware_images (model, version, minimum_version, size, sha256, uploaded, uploaded_by, bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [Int64(image.model.rawValue), image.version.description, image.minimumVersion?.description, image.bytes.count,
                            Data(hash.bytes), at.millisecondsSinceEpoch, person, Data(image.bytes)]
            )
            let id = UInt64(db.lastInsertedRowID)
            try Self.insertAudit(audit.adding(["image_id": "\(id)"]), in: db)
            return FirmwareImageRecord(id: id, model: image.model, version: image.version, minimumVersion: image.minimumVersion,
                                       size: UInt64(image.bytes.count), sha256: hash, uploaded: at, uploadedBy: person)
        }
    }

    public func firmwareImages(limit: Int) async throws -> [FirmwareImageRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.imageColumns) FROM firmware_images ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
                .map(Self.firmwareImage)
        }
    }

    public func firmwareImage(id: UInt64) async throws -> FirmwareImageRecord? {
        try await pool.read { db in try Self.firmwareImage(id, in: db) }
    }

    public func firmwareImageBytes(id: UInt64) async throws -> [UInt8]? {
        try await pool.read { db in
            (try Data.fetchOne(db, sql: "SELECT bytes FROM firmware_images WHERE id = ?", arguments: [Int64(clamping: id)])).map { Array($0) }
        }
    }

    public func createFirmwareRollout(image: UInt64, devices: [DeviceID], by person: String, at: Timestamp, audit: AuditRecord) async throws -> FirmwareRollout {
        try await pool.write { db in
            guard try Self.firmwareImage(image, in: db) != nil else { throw StoreError.notFound("firmware image \(image)") }
            try db.execute(sql: "INSERT INTO firmware_rollouts (image_id, created, created_by) VALUES (?, ?, ?)",
                           arguments: [Int64(clamping: image), at.millisecondsSinceEpoch, person])
            let id = db.lastInsertedRowID
            for device in devices {
                try db.execute(sql: "INSERT INTO firmware_targets (rollout_id, device_id, state, updated) VALUES (?, ?, ?, ?)",
                               arguments: [id, device.value, FirmwareTargetState.queued.rawValue, at.millisecondsSinceEpoch])
            }
            try Self.insertAudit(audit.adding(["rollout_id": "\(id)"]), in: db)
            guard let rollout = try Self.firmwareRollout(UInt64(id), in: db) else { throw StoreError.corrupt("firmware rollout \(id)") }
            return rollout
        }
    }

    public func firmwareRollouts(limit: Int) async throws -> [FirmwareRollout] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM firmware_rollouts ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
                .compactMap { try Self.firmwareRollout(UInt64($0), in: db) }
        }
    }

    public func firmwareRollout(id: UInt64) async throws -> FirmwareRollout? {
        try await pool.read { db in try Self.firmwareRollout(id, in: db) }
    }

    public func firmwareTarget(id: UInt64) async throws -> FirmwareRolloutTarget? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Self.targetSelect) WHERE t.id = ?", arguments: [Int64(clamping: id)]).map(Self.firmwareTarget)
        }
    }

    public func activeFirmwareTargets(device: DeviceID) async throws -> [FirmwareRolloutTarget] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.targetSelect) WHERE t.device_id = ? AND t.state NOT IN (\(Self.finalStates)) ORDER BY t.id",
                             arguments: [device.value])
                .map(Self.firmwareTarget)
        }
    }

    public func devicesWithActiveFirmware() async throws -> [DeviceID] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT device_id FROM firmware_targets WHERE state NOT IN (\(Self.finalStates)) ORDER BY device_id")
                .map { try SQLiteRows.deviceID($0, "firmware_targets.device_id") }
        }
    }

    public func saveFirmwareTarget(_ target: FirmwareRolloutTarget, expected: FirmwareRolloutTarget, status: FirmwareStatusRecord?, deviceFirmware: String?,
                                   audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            let id = Int64(clamping: target.id)
            guard let stored = try Row.fetchOne(db, sql: "\(Self.targetSelect) WHERE t.id = ?", arguments: [id]).map(Self.firmwareTarget) else {
                throw StoreError.notFound("firmware target \(target.id)")
            }
            guard stored.state == expected.state, stored.bytesSent == expected.bytesSent, stored.bytesReceived == expected.bytesReceived else {
                return false
            }
            try db.execute(
                sql: "UPDATE firmware_targets SET state = ?, bytes_sent = ?, bytes_received = ?, message = ?, updated = ? WHERE id = ?",
                arguments: [target.state.rawValue, Int64(clamping: target.bytesSent), Int64(clamping: target.bytesReceived), target.message,
                            target.updated.millisecondsSinceEpoch, id]
            )
            if let status {
                try db.execute(
                    sql: "INSERT INTO firmware_status_log (target_id, at, state, bytes_received, message) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, status.at.millisecondsSinceEpoch, Int64(status.state.rawValue), Int64(clamping: status.bytesReceived), status.message]
                )
            }
            if let deviceFirmware {
                try db.execute(sql: "UPDATE devices SET firmware = ? WHERE id = ?", arguments: [deviceFirmware, target.device.value])
            }
            if let audit { try Self.insertAudit(audit, in: db) }
            return true
        }
    }

    public func firmwareStatusHistory(target: UInt64) async throws -> [FirmwareStatusRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT target_id, at, state, bytes_received, message FROM firmware_status_log WHERE target_id = ? ORDER BY id",
                             arguments: [Int64(clamping: target)])
                .map { row in
                    guard let state = UplinkMessage.FirmwareState(rawValue: UInt8(clamping: row["state"] as Int64)) else {
                        throw StoreError.corrupt("firmware_status_log.state")
                    }
                    return FirmwareStatusRecord(targetID: UInt64(row["target_id"] as Int64), at: Timestamp(millisecondsSinceEpoch: row["at"]),
                                                state: state, bytesReceived: UInt64(row["bytes_received"] as Int64), message: row["message"])
                }
        }
    }

    // MARK: Rows

    private static let finalStates = FirmwareTargetState.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    private static let imageColumns = "id, model, version, minimum_version, size, sha256, uploaded, uploaded_by"
    private static let targetSelect = """
        SELECT t.id, t.rollout_id, t.device_id, t.state, t.bytes_sent, t.bytes_received, t.message, t.updated, i.size
        FROM firmware_targets t JOIN firmware_rollouts r ON r.id = t.rollout_id JOIN firmware_images i ON i.id = r.image_id
        """

    private static func firmwareImage(_ id: UInt64, in db: Database) throws -> FirmwareImageRecord? {
        try Row.fetchOne(db, sql: "SELECT \(imageColumns) FROM firmware_images WHERE id = ?", arguments: [Int64(clamping: id)]).map(firmwareImage)
    }

    private static func firmwareRollout(_ id: UInt64, in db: Database) throws -> FirmwareRollout? {
        guard let row = try Row.fetchOne(db, sql: "SELECT image_id, created, created_by FROM firmware_rollouts WHERE id = ?",
                                         arguments: [Int64(clamping: id)]) else { return nil }
        guard let image = try firmwareImage(UInt64(row["image_id"] as Int64), in: db) else { throw StoreError.corrupt("firmware_rollouts.image_id") }
        let targets = try Row.fetchAll(db, sql: "\(targetSelect) WHERE t.rollout_id = ? ORDER BY t.id", arguments: [Int64(clamping: id)])
            .map(firmwareTarget)
        return FirmwareRollout(id: id, image: image, created: Timestamp(millisecondsSinceEpoch: row["created"]), createdBy: row["created_by"],
                               targets: targets)
    }

    private static func firmwareImage(_ row: Row) throws -> FirmwareImageRecord {
        guard let model = ResourceType(rawValue: UInt8(clamping: row["model"] as Int64)) else { throw StoreError.corrupt("firmware_images.model") }
        guard let version = FirmwareVersion(parsing: row["version"]) else { throw StoreError.corrupt("firmware_images.version") }
        var minimum: FirmwareVersion?
        if let text = row["minimum_version"] as String? {
            guard let parsed = FirmwareVersion(parsing: text) else { throw StoreError.corrupt("firmware_images.minimum_version") }
            minimum = parsed
        }
        return FirmwareImageRecord(
            id: UInt64(row["id"] as Int64), model: model, version: version, minimumVersion: minimum, size: UInt64(row["size"] as Int64),
            sha256: try SQLiteRows.hash(row["sha256"], "firmware_images.sha256"), uploaded: Timestamp(millisecondsSinceEpoch: row["uploaded"]),
            uploadedBy: row["uploaded_by"]
        )
    }

    private static func firmwareTarget(_ row: Row) throws -> FirmwareRolloutTarget {
        guard let state = FirmwareTargetState(rawValue: row["state"]) else { throw StoreError.corrupt("firmware_targets.state") }
        return FirmwareRolloutTarget(
            id: UInt64(row[0] as Int64), rolloutID: UInt64(row[1] as Int64), device: try SQLiteRows.deviceID(row[2], "firmware_targets.device_id"),
            imageSize: UInt64(row[8] as Int64), state: state, bytesSent: UInt64(row[4] as Int64), bytesReceived: UInt64(row[5] as Int64),
            message: row[6], updated: Timestamp(millisecondsSinceEpoch: row[7])
        )
    }
}

extension AuditRecord {
    /// The record with `details` added: for ids the store only learns in the transaction.
    func adding(_ more: [String: String]) -> AuditRecord {
        AuditRecord(actor: actor, source: source, action: action, target: target, details: details.merging(more) { $1 }, at: at)
    }
}
