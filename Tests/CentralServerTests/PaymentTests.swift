import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// Payments and adjustments through the admin API, the ledger they leave, the audit log, and the
/// payment provider's webhook with its refusals and duplicates (docs/quotas.md).
@Suite("Payments, adjustments and the payment webhook")
struct PaymentTests {
    /// A server with prices (A4 mono 5 cents), alice on 500 + 100 pages who has printed 550, an
    /// administrator token.
    static func server() async throws -> (TestServer, String) {
        let server = try TestServer()
        let token = try await server.token(for: "ada", roles: ["administrator"])
        try await server.addUser("alice")
        try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
        try await server.admin.setQuota(user: "alice", limit: 500, unit: "pages", currency: nil, adjustment: 100, period: "monthly", by: TestServer.actor)
        try await server.store.appendLedger(LedgerEntry(userID: Fixture.userID("alice"), at: Fixture.now, kind: .use, pages: 550, actor: "test"), audit: nil)
        return (server, token)
    }

    static func signed(_ body: String, at seconds: Int64, secret: [UInt8] = TestServer.webhookSecret) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPFields.Element.Name("Imprimatur-Timestamp")!] = String(seconds)
        headers[HTTPFields.Element.Name("Imprimatur-Signature")!] = "v1=" + PaymentWebhook.signature(secret: secret, timestamp: String(seconds), body: Array(body.utf8))
        return headers
    }

    static let nowSeconds = Fixture.now.millisecondsSinceEpoch / 1000

    static func deliver(_ client: any TestClientProtocol, _ body: String, headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/payments/webhook", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func anAdminPaymentRepaysTheOverdraftThenRaisesTheFirstLimitAndIsAudited() async throws {
        let (server, token) = try await Self.server()
        let answer = try await server.http { client in
            try await client.call(.post, "/api/v1/users/alice/payments", token: token, json: #"{"amount": 500, "note": "receipt 7"}"#)
        }
        #expect(answer.status == .badRequest, "a page quota needs the currency: \(answer.text)")
        let paid = try await server.http { client in
            try await client.call(.post, "/api/v1/users/alice/payments", token: token, json: #"{"amount": 500, "currency": "EUR", "note": "receipt 7"}"#)
        }
        #expect(paid.status == .created, "\(paid.text)")
        // docs/quotas.md row 3.
        #expect(paid.object["first_limit"] as? Int == 600)
        #expect(paid.object["second_limit"] as? Int == 700)
        #expect(paid.object["remaining"] as? Int == 150)
        #expect(paid.object["repaid"] as? Int == 50)
        let ledger = try await server.store.ledger(userID: Fixture.userID("alice"), limit: 10)
        #expect(ledger.first?.kind == .payment)
        #expect(ledger.first?.pages == 100)
        #expect(ledger.first?.amount == 500)
        #expect(ledger.first?.actor == "user:ada")
        let audit = try await server.store.auditEntries(after: 0, limit: 100)
        #expect(audit.last?.record.action == "quota.payment")
        #expect(audit.last?.record.target == "user:alice")
        guard case .intact = try await server.store.verifyAuditChain() else { Issue.record("the audit chain is broken"); return }
    }

    @Test func anAdjustmentCountsThisPeriodOnlyAndNeedsANote() async throws {
        let (server, token) = try await Self.server()
        let refused = try await server.http { client in
            try await client.call(.post, "/api/v1/users/alice/adjustments", token: token, json: #"{"amount": 50}"#)
        }
        #expect(refused.status == .badRequest)
        #expect(refused.object["field"] as? String == "note")
        let adjusted = try await server.http { client in
            try await client.call(.post, "/api/v1/users/alice/adjustments", token: token, json: #"{"amount": 50, "note": "exam week"}"#)
        }
        #expect(adjusted.status == .created)
        #expect(adjusted.object["effective_adjustment"] as? Int == 150)
        #expect(adjusted.object["remaining"] as? Int == 100)
        // Next month the adjustment is the standing 100 again, and nothing is used.
        server.clock.advance(milliseconds: 40 * 86_400_000)
        let state = try #require(try await server.services.grants.quotaState(userID: Fixture.userID("alice"), now: server.clock.now()))
        #expect(state.adjustment == 100)
        #expect(state.remaining == 600)
        let audit = try await server.store.auditEntries(after: 0, limit: 100)
        #expect(audit.last?.record.action == "quota.adjust")
    }

    @Test func theLedgerIsAppendOnlyAndTheQuotaIsReadFromIt() async throws {
        let (server, token) = try await Self.server()
        try await server.admin.setQuota(user: "alice", limit: 300, unit: "pages", currency: nil, adjustment: 0, period: "monthly", by: TestServer.actor)
        let quota = try #require(try await server.store.quota(userID: Fixture.userID("alice")))
        #expect(quota.firstLimit == 300)
        let entries = try await server.store.ledger(userID: Fixture.userID("alice"), limit: 100)
        #expect(entries.filter { $0.kind == .limit }.map(\.pages) == [300, 500])
        let listed = try await server.http { client in try await client.call(.get, "/api/v1/users/alice/ledger", token: token) }
        #expect(listed.items.count == entries.count)
        #expect(listed.items.first?["kind"] as? String == "overdraft")
        let sqlite = try #require(server.store as? SQLiteServerStore)
        await #expect(throws: (any Error).self) {
            try await sqlite.pool.write { db in try db.execute(sql: "UPDATE ledger SET pages = 9999 WHERE kind = 'limit'") }
        }
        await #expect(throws: (any Error).self) {
            try await sqlite.pool.write { db in try db.execute(sql: "DELETE FROM ledger") }
        }
    }

    @Test func aSignedDeliveryIsBookedOnceAndItsDuplicateGetsTheSameAnswer() async throws {
        let (server, _) = try await Self.server()
        let body = #"{"idempotency_key": "pay_1", "user": "alice", "amount": 500, "currency": "EUR", "reference": "invoice 12"}"#
        let (first, second) = try await server.http { client in
            let first = try await Self.deliver(client, body, headers: Self.signed(body, at: Self.nowSeconds))
            let second = try await Self.deliver(client, body, headers: Self.signed(body, at: Self.nowSeconds + 30))
            return (first, second)
        }
        #expect(first.status == .ok, "\(first.text)")
        #expect(first.object["booked"] as? Bool == true)
        #expect(first.object["pages"] as? Int == 100)
        #expect(second.status == .ok)
        #expect(second.text == first.text)
        #expect(second.headers[HTTPFields.Element.Name("Imprimatur-Duplicate")!] == "true")
        let payments = try await server.store.ledger(userID: Fixture.userID("alice"), limit: 100).filter { $0.kind == .payment }
        #expect(payments.count == 1)
        #expect(payments.first?.actor == "payment-provider")
        #expect(payments.first?.note == "payment pay_1 (invoice 12)")
        let state = try #require(try await server.services.grants.quotaState(userID: Fixture.userID("alice"), now: server.clock.now()))
        #expect(state.secondLimit == 700)
    }

    @Test func badSignaturesReplaysAndMalformedBodiesAreRefusedAndLogged() async throws {
        let (server, _) = try await Self.server()
        let body = #"{"idempotency_key": "pay_2", "user": "alice", "amount": 500, "currency": "EUR"}"#
        var tampered = Self.signed(body, at: Self.nowSeconds)
        tampered[HTTPFields.Element.Name("Imprimatur-Signature")!] = "v1=" + String(repeating: "0", count: 64)
        let cases: [(String, HTTPFields, HTTPResponse.Status, String)] = [
            ("wrong secret", Self.signed(body, at: Self.nowSeconds, secret: Array(repeating: 1, count: 32)), .unauthorized, "signature does not match"),
            ("wrong signature", tampered, .unauthorized, "signature does not match"),
            ("no headers", [.contentType: "application/json"], .unauthorized, "header is missing"),
            ("too old", Self.signed(body, at: Self.nowSeconds - 301), .badRequest, "outside the replay window"),
            ("from the future", Self.signed(body, at: Self.nowSeconds + 301), .badRequest, "outside the replay window"),
        ]
        let malformed = #"{"idempotency_key": "pay_3", "user": "alice", "amount": "five", "currency": "EUR"}"#
        let unknownField = #"{"idempotency_key": "pay_4", "user": "alice", "amount": 5, "currency": "EUR", "tip": 1}"#
        let answers = try await server.http { client in
            var answers: [TestResponse] = []
            for (_, headers, _, _) in cases { answers.append(try await Self.deliver(client, body, headers: headers)) }
            answers.append(try await Self.deliver(client, malformed, headers: Self.signed(malformed, at: Self.nowSeconds)))
            answers.append(try await Self.deliver(client, unknownField, headers: Self.signed(unknownField, at: Self.nowSeconds)))
            return answers
        }
        for ((name, _, status, text), answer) in zip(cases, answers) {
            #expect(answer.status == status, "\(name): \(answer.text)")
            #expect((answer.object["error"] as? String ?? "").contains(text), "\(name): \(answer.text)")
        }
        #expect(answers[5].status == .badRequest)
        #expect(answers[5].object["field"] as? String == "amount")
        #expect(answers[6].status == .badRequest)
        #expect(answers[6].object["field"] as? String == "tip")
        let refusals = try await server.store.securityEvents(limit: 100).filter { $0.kind == "payment.webhook.refused" }
        #expect(refusals.count == 7)
        #expect(try await server.store.ledger(userID: Fixture.userID("alice"), limit: 100).filter { $0.kind == .payment }.isEmpty)
    }

    @Test func aReusedKeyWithAnotherBodyIsAConflictAndAnUnbookablePaymentIsRemembered() async throws {
        let (server, _) = try await Self.server()
        let body = #"{"idempotency_key": "pay_5", "user": "alice", "amount": 500, "currency": "EUR"}"#
        let other = #"{"idempotency_key": "pay_5", "user": "alice", "amount": 50000, "currency": "EUR"}"#
        let ghost = #"{"idempotency_key": "pay_6", "user": "ghost", "amount": 500, "currency": "EUR"}"#
        let answers = try await server.http { client in
            [
                try await Self.deliver(client, body, headers: Self.signed(body, at: Self.nowSeconds)),
                try await Self.deliver(client, other, headers: Self.signed(other, at: Self.nowSeconds)),
                try await Self.deliver(client, ghost, headers: Self.signed(ghost, at: Self.nowSeconds)),
                try await Self.deliver(client, ghost, headers: Self.signed(ghost, at: Self.nowSeconds + 1)),
            ]
        }
        #expect(answers[0].status == .ok)
        #expect(answers[1].status == .conflict)
        #expect(answers[1].object["field"] as? String == "idempotency_key")
        #expect(answers[2].status == .unprocessableContent)
        #expect((answers[2].object["error"] as? String ?? "").contains("ghost"))
        #expect(answers[3].status == .unprocessableContent)
        #expect(answers[3].text == answers[2].text)
        let payments = try await server.store.ledger(userID: nil, limit: 100).filter { $0.kind == .payment }
        #expect(payments.map(\.amount) == [500])
    }
}
