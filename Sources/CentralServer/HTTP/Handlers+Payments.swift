import Foundation
import Hummingbird
import Protocol

/// Payments, adjustments, the ledger, and the payment provider's webhook (docs/quotas.md).
extension Handlers {
    @Sendable func addPayment(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        var body = try await Self.body(request, context)
        let amount = try body.integer("amount")
        let currency = try body.optionalString("currency")
        let note = try body.optionalString("note")
        try body.finish()
        try await services.admin.recordPayment(user: id.value, amount: amount, currency: currency, note: note, by: Self.actor(caller, context))
        return try await quotaResponse(id, status: .created)
    }

    @Sendable func addAdjustment(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        var body = try await Self.body(request, context)
        let amount = try body.integer("amount")
        let note = try body.string("note")
        try body.finish()
        try await services.admin.adjust(user: id.value, amount: amount, note: note, by: Self.actor(caller, context))
        return try await quotaResponse(id, status: .created)
    }

    @Sendable func listLedger(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.userID(context)
        _ = try await auth.requireSelfOr(request, subject: id, Self.readers)
        let limit = try Self.limit(request)
        guard try await services.store.user(id: id) != nil else { throw APIError(.notFound, "user \(id) not found") }
        return JSONResponse.make(DTO.List(items: try await services.store.ledger(userID: id, limit: limit).map(DTO.LedgerEntryBody.init)))
    }

    /// No API token: the provider proves itself with the HMAC signature (PaymentWebhook).
    @Sendable func paymentWebhook(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let answer = try await services.payments.deliver(
            timestamp: Self.header(request, PaymentWebhook.timestampHeader),
            signature: Self.header(request, PaymentWebhook.signatureHeader),
            body: Array(buffer.readableBytesView), source: context.peer, address: context.peerAddress
        )
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if answer.duplicate, let name = HTTPFields.Element.Name("Imprimatur-Duplicate") { headers[name] = "true" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body + "\n"))
        )
    }

    /// The first value of a header, by its name in any case.
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
    }
}
