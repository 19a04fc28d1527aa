import Foundation
import GRDB
import Protocol

/// Reading domain values back from SQLite rows. A row that no longer makes a valid value (an
/// id outside the identifier alphabet, a 31-byte hash) is `StoreError.corrupt`, never a trap.
enum SQLiteRows {
    static func userID(_ text: String, _ column: String) throws -> UserID {
        guard let id = try? UserID(text) else { throw StoreError.corrupt("\(column) \(text)") }
        return id
    }

    static func deviceID(_ text: String, _ column: String) throws -> DeviceID {
        guard let id = try? DeviceID(text) else { throw StoreError.corrupt("\(column) \(text)") }
        return id
    }

    static func hash(_ data: Data, _ column: String) throws -> Hash32 {
        guard let hash = try? Hash32(bytes: Array(data)) else { throw StoreError.corrupt(column) }
        return hash
    }

    static func timestamp(_ value: Int64?) -> Timestamp? {
        value.map { Timestamp(millisecondsSinceEpoch: $0) }
    }

    static func user(_ row: Row, cards: [String]) throws -> User {
        let roles = try Role.parseListOrEmpty(row["roles"] as String)
        return User(
            id: try userID(row["id"], "users.id"),
            name: row["name"],
            department: row["department"],
            roles: roles,
            active: row["active"] as Int64 == 1,
            pinHash: row["pin_hash"],
            passwordHash: row["password_hash"],
            created: Timestamp(millisecondsSinceEpoch: row["created"]),
            cards: cards
        )
    }

    static func device(_ row: Row, resources: [DeviceResource]) throws -> Device {
        guard let key = try? PublicKey(bytes: Array(row["public_key"] as Data)) else { throw StoreError.corrupt("devices.public_key") }
        guard let state = DeviceState(rawValue: row["state"]) else { throw StoreError.corrupt("devices.state") }
        return Device(
            id: try deviceID(row["id"], "devices.id"),
            name: row["name"],
            model: row["model"],
            firmware: row["firmware"],
            publicKey: key,
            enrolledAt: Timestamp(millisecondsSinceEpoch: row["enrolled_at"]),
            lastSeen: timestamp(row["last_seen"]),
            state: state,
            resources: resources
        )
    }

    static func resource(_ row: Row) throws -> DeviceResource {
        guard let id = try? ResourceID(row["resource_id"] as String),
              let type = ResourceType(rawValue: UInt8(clamping: row["type"] as Int64))
        else { throw StoreError.corrupt("device_resources") }
        return DeviceResource(id: id, type: type)
    }

    static func quotaUnit(_ text: String) throws -> QuotaUnit {
        if text == "pages" { return .pages }
        guard let currency = try? CurrencyCode(text) else { throw StoreError.corrupt("quotas.unit \(text)") }
        return .money(currency)
    }

    static func currency(_ text: String?) throws -> CurrencyCode? {
        guard let text else { return nil }
        guard let code = try? CurrencyCode(text) else { throw StoreError.corrupt("currency \(text)") }
        return code
    }

    static func paperSize(_ value: Int64) throws -> PaperSize {
        guard let size = PaperSize(rawValue: UInt8(clamping: value)) else { throw StoreError.corrupt("paper size \(value)") }
        return size
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        let record = AuditRecord(
            actor: row["actor"], source: row["source"], action: row["action"], target: row["target"],
            details: try details(row["details"]), at: Timestamp(millisecondsSinceEpoch: row["at"])
        )
        return AuditEntry(
            sequence: UInt64(max(0, row["sequence"] as Int64)),
            record: record,
            previousHash: try hash(row["previous_hash"], "audit_log.previous_hash"),
            hash: try hash(row["hash"], "audit_log.hash")
        )
    }

    static func detailsJSON(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A [String: String] always encodes.
        return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func details(_ json: String) throws -> [String: String] {
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) else {
            throw StoreError.corrupt("audit_log.details")
        }
        return details
    }
}

extension Role {
    /// The stored list; an empty string is no roles.
    static func parseListOrEmpty(_ text: String) throws -> Set<Role> {
        guard !text.isEmpty else { return [] }
        do { return try parseList(text) } catch { throw StoreError.corrupt("users.roles \(text)") }
    }
}
