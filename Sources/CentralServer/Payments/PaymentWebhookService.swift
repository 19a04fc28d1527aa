import Crypto
import Foundation
import Logging
import Protocol

/// Books the payments the provider's webhook announces (docs/quotas.md): a checked delivery
/// becomes one `payment` ledger entry, once per idempotency key; every refusal is logged and
/// recorded as a `payment.webhook.refused` security event.
public struct PaymentWebhookService: Sendable {
    public let webhook: PaymentWebhook?
    let store: any ServerStore
    let securityGate: SecurityEventGate
    let admin: AdminService
    let clock: any ServerClock
    let logger: Logger

    /// The ledger entries' actor.
    public static let actor = "payment-provider"

    public init(webhook: PaymentWebhook?, store: any ServerStore, admin: AdminService, securityGate: SecurityEventGate, clock: any ServerClock, logger: Logger) {
        self.webhook = webhook
        self.store = store
        self.admin = admin
        self.securityGate = securityGate
        self.clock = clock
        self.logger = logger
    }

    /// The HTTP answer to one delivery.
    public struct Answer: Hashable, Sendable {
        public let status: Int
        public let body: String
        public let duplicate: Bool
    }

    /// `source` is the peer as the log shows it (`ip:port`); `address` the peer's address alone,
    /// by which refusals of unsigned posts are throttled.
    public func deliver(timestamp: String?, signature: String?, body: [UInt8], source: String, address: String) async throws -> Answer {
        let now = clock.now()
        guard let webhook else {
            return try await refuse(404, "the payment webhook is not configured: make its secret with imprimatur-server payments webhook-secret", source: source, address: address, now: now)
        }
        let payment: PaymentWebhook.Payment
        do {
            payment = try webhook.check(timestamp: timestamp, signature: signature, body: body, now: now)
        } catch {
            var field: String?
            if case let .malformed(name, _) = error { field = name }
            return try await refuse(error.status, error.description, field: field, source: source, address: address, now: now)
        }
        let bodyHash = try Hash32(bytes: Array(SHA256.hash(data: body)))
        if let earlier = try await store.paymentWebhook(key: payment.idempotencyKey) {
            return try await answerDuplicate(earlier, bodyHash: bodyHash, source: source, now: now)
        }
        let status: Int
        let answer: String
        var entry: LedgerEntry?
        do {
            entry = try await paymentEntry(payment, now: now)
            status = 200
            answer = Self.json([
                "booked": true, "idempotency_key": payment.idempotencyKey, "user": payment.user,
                "amount": entry?.amount ?? 0, "currency": entry?.currency?.code ?? "", "pages": entry?.pages ?? 0,
            ])
        } catch let error as AdminError {
            // The delivery is genuine but cannot be booked: answered (and remembered) as such, so
            // that the provider's retries get the same answer and someone can look at it.
            status = 422
            var fields: [String: any Sendable] = ["booked": false, "idempotency_key": payment.idempotencyKey, "error": error.description]
            if case let .input(input) = error { fields["field"] = input.field }
            answer = Self.json(fields)
            try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "payment.webhook.unbooked", userID: try? UserID(payment.user),
                                                              detail: "key \(payment.idempotencyKey) from \(source): \(error)"))
            logger.warning("payment webhook \(payment.idempotencyKey) from \(source) not booked: \(error)")
        }
        let recorded = try await store.recordPaymentWebhook(key: payment.idempotencyKey, bodyHash: bodyHash, entry: entry, status: status, answer: answer, at: now)
        if recorded.duplicate { return try await answerDuplicate(recorded, bodyHash: bodyHash, source: source, now: now) }
        if status == 200 { logger.info("payment webhook \(payment.idempotencyKey): booked \(payment.amount) \(payment.currency) for \(payment.user)") }
        return Answer(status: status, body: answer, duplicate: false)
    }

    private func paymentEntry(_ payment: PaymentWebhook.Payment, now: Timestamp) async throws -> LedgerEntry {
        try await AdminError.translating {
            let userID = try InputRules.userID(payment.user, field: "user")
            guard try await store.user(id: userID) != nil else { throw StoreError.notFound("user \(userID)") }
            guard let quota = try await store.quota(userID: userID) else { throw InputError(field: "user", "user \(userID) has no quota to pay into") }
            let note = "payment \(payment.idempotencyKey)" + (payment.reference.map { " (\($0.prefix(100)))" } ?? "")
            return try await admin.paymentEntry(quota: quota, amount: payment.amount, currency: payment.currency, note: String(note.prefix(200)), actor: Self.actor, at: now)
        }
    }

    private func answerDuplicate(_ earlier: WebhookAnswer, bodyHash: Hash32, source: String, now: Timestamp) async throws -> Answer {
        guard earlier.bodyHash == bodyHash else {
            return try await refuse(409, "idempotency key \(earlier.key) was used before with a different body", field: "idempotency_key", source: source, address: nil, now: now)
        }
        logger.info("payment webhook \(earlier.key) from \(source): duplicate, answered as before")
        return Answer(status: earlier.status, body: earlier.answer, duplicate: true)
    }

    /// `address`: the sender's, when it has not proved itself (then the event is throttled:
    /// anyone can post); nil for a signed delivery refused on its content.
    private func refuse(_ status: Int, _ message: String, field: String? = nil, source: String, address: String?, now: Timestamp) async throws -> Answer {
        logger.warning("payment webhook from \(source) refused (\(status)): \(message)")
        let event = SecurityEvent(at: now, kind: "payment.webhook.refused", detail: "\(status) from \(source): \(message)")
        if let address {
            try await securityGate.record(event, source: address)
        } else {
            try await store.recordSecurityEvent(event)
        }
        var fields: [String: any Sendable] = ["error": message]
        if let field { fields["field"] = field }
        return Answer(status: status, body: Self.json(fields), duplicate: false)
    }

    static func json(_ fields: [String: any Sendable]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
