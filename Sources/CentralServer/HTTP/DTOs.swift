import Foundation
import Protocol

/// The JSON shapes of the REST API (docs/openapi.yaml). Times are ISO 8601 strings in UTC.
enum DTO {
    struct UserBody: Encodable {
        let id: String
        let name: String
        let department: String?
        let roles: [String]
        let active: Bool
        let cards: [String]
        let hasPin: Bool
        let hasPassword: Bool
        let created: String

        init(_ user: User) {
            id = user.id.value
            name = user.name
            department = user.department
            roles = user.roles.sorted().map(\.rawValue)
            active = user.active
            cards = user.cards
            hasPin = user.pinHash != nil
            hasPassword = user.passwordHash != nil
            created = TimeText.iso8601(user.created)
        }

        enum CodingKeys: String, CodingKey {
            case id, name, department, roles, active, cards, created
            case hasPin = "has_pin"
            case hasPassword = "has_password"
        }
    }

    struct ResourceBody: Encodable {
        let id: String
        let type: String
    }

    struct DeviceBody: Encodable {
        let id: String
        let name: String
        let model: String
        let firmware: String
        let publicKey: String
        let keyID: String
        let enrolledAt: String
        let lastSeen: String?
        let state: String
        let resources: [ResourceBody]
        let permissions: [String]?

        init(_ device: Device, permissions: [DevicePermission]? = nil) {
            id = device.id.value
            name = device.name
            model = device.model
            firmware = device.firmware
            publicKey = Hex.encode(device.publicKey.bytes)
            keyID = device.publicKey.keyID.description
            enrolledAt = TimeText.iso8601(device.enrolledAt)
            lastSeen = device.lastSeen.map(TimeText.iso8601)
            state = device.state.rawValue
            resources = device.resources.map { ResourceBody(id: $0.id.value, type: $0.type.description) }
            self.permissions = permissions?.map(\.description)
        }

        enum CodingKeys: String, CodingKey {
            case id, name, model, firmware, state, resources, permissions
            case publicKey = "public_key"
            case keyID = "key_id"
            case enrolledAt = "enrolled_at"
            case lastSeen = "last_seen"
        }
    }

    struct PriceBody: Encodable {
        let paper: String
        let colour: Bool
        let price: UInt32
        let currency: String

        init(_ price: Price) {
            paper = price.paperSize.description
            colour = price.colour
            self.price = price.pricePerPage
            currency = price.currency.code
        }
    }

    struct QuotaBody: Encodable {
        let user: String
        let period: String
        let unit: String
        let currency: String?
        let limit: Int64
        let adjustment: Int64
        let periodStart: String
        let periodEnd: String
        let firstLimit: Int64
        let effectiveAdjustment: Int64
        let secondLimit: Int64
        let used: Int64
        let remaining: Int64

        init(_ quota: Quota, state: QuotaState) {
            user = quota.userID.value
            period = quota.period.rawValue
            switch quota.unit {
            case .pages:
                unit = "pages"
                currency = nil
            case let .money(code):
                unit = "money"
                currency = code.code
            }
            limit = quota.firstLimit
            adjustment = quota.adjustment
            periodStart = TimeText.iso8601(state.period.start)
            periodEnd = TimeText.iso8601(state.period.end)
            firstLimit = state.firstLimit
            effectiveAdjustment = state.adjustment
            secondLimit = state.secondLimit
            used = state.used
            remaining = state.remaining
            overdraftUsed = state.overdraftUsed
            paid = state.paid
            repaid = state.repaid
        }

        let overdraftUsed: Int64
        let paid: Int64
        let repaid: Int64

        enum CodingKeys: String, CodingKey {
            case user, period, unit, currency, limit, adjustment, used, remaining, paid, repaid
            case overdraftUsed = "overdraft_used"
            case periodStart = "period_start"
            case periodEnd = "period_end"
            case firstLimit = "first_limit"
            case effectiveAdjustment = "effective_adjustment"
            case secondLimit = "second_limit"
        }
    }

    struct JobBody: Encodable {
        let id: String
        let device: String
        let user: String
        let grant: String?
        let paper: String
        let colour: Bool
        let pages: Int64
        let copies: Int64
        let duplex: Bool
        let started: String
        let ended: String

        init(_ job: JobRecord) {
            id = job.id
            device = job.deviceID.value
            user = job.userID.value
            grant = job.grantID
            paper = job.paperSize.description
            colour = job.colour
            pages = job.pages
            copies = job.copies
            duplex = job.duplex
            started = TimeText.iso8601(job.started)
            ended = TimeText.iso8601(job.ended)
        }
    }

    struct ChargeBody: Encodable {
        let id: Int64
        let job: String
        let user: String
        let pages: Int64
        let amount: Int64
        let currency: String?
        let at: String

        init(_ charge: ChargeRecord) {
            id = charge.id
            job = charge.jobID
            user = charge.userID.value
            pages = charge.pages
            amount = charge.amount
            currency = charge.currency?.code
            at = TimeText.iso8601(charge.at)
        }
    }

    struct LedgerEntryBody: Encodable {
        let id: Int64?
        let user: String
        let at: String
        let kind: String
        let pages: Int64
        let amount: Int64
        let currency: String?
        let job: String?
        let note: String
        let actor: String

        init(_ entry: LedgerEntry) {
            id = entry.id
            user = entry.userID.value
            at = TimeText.iso8601(entry.at)
            kind = entry.kind.rawValue
            pages = entry.pages
            amount = entry.amount
            currency = entry.currency?.code
            job = entry.jobID
            note = entry.note
            actor = entry.actor
        }
    }

    struct AuditEntryBody: Encodable {
        let sequence: UInt64
        let at: String
        let actor: String
        let source: String
        let action: String
        let target: String
        let details: [String: String]
        let previousHash: String
        let hash: String

        init(_ entry: AuditEntry) {
            sequence = entry.sequence
            at = TimeText.iso8601(entry.record.at)
            actor = entry.record.actor
            source = entry.record.source
            action = entry.record.action
            target = entry.record.target
            details = entry.record.details
            previousHash = entry.previousHash.hex
            hash = entry.hash.hex
        }

        enum CodingKeys: String, CodingKey {
            case sequence, at, actor, source, action, target, details, hash
            case previousHash = "previous_hash"
        }
    }

    struct ServerKeyBody: Encodable {
        let keyID: String
        let publicKey: String
        let validUntil: String?
        /// The same moment in ms since 1970, as the agent's `TrustedKey` takes it.
        let validUntilMilliseconds: Int64?
        let publishedUntil: String?

        init(_ key: PublishedServerKey) {
            keyID = key.keyID.description
            publicKey = Hex.encode(key.publicKey.bytes)
            validUntil = key.validUntil.map(TimeText.iso8601)
            validUntilMilliseconds = key.validUntil?.millisecondsSinceEpoch
            publishedUntil = key.publishedUntil.map(TimeText.iso8601)
        }

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id"
            case publicKey = "public_key"
            case validUntil = "valid_until"
            case validUntilMilliseconds = "valid_until_ms"
            case publishedUntil = "published_until"
        }
    }

    struct EnrollmentBody: Encodable {
        let deviceID: String
        let name: String
        let serverID: String
        let serverKeys: [ServerKeyBody]
        let resources: [ResourceBody]

        enum CodingKeys: String, CodingKey {
            case name, resources
            case deviceID = "device_id"
            case serverID = "server_id"
            case serverKeys = "server_keys"
        }
    }

    struct List<Item: Encodable>: Encodable {
        let items: [Item]
    }
}
