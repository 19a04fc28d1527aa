import Foundation
import Hummingbird
import Protocol

/// Bills (docs/bills.md): issue (administrator), list and fetch (administrator, auditor).
extension Handlers {
    @Sendable func issueBill(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let account = try body.string("account")
        let start = try BillTime.parse(try body.string("start"), field: "start")
        let endText = try body.optionalString("end")
        let corrects = try body.optionalString("corrects")
        let currency = try body.optionalString("currency")
        try body.finish()
        let end = try endText.map { text throws(InputError) in try BillTime.parse(text, field: "end") } ?? BillTime.monthAfter(start)
        do {
            let issued = try await services.bills.issue(
                BillService.Request(account: account, start: start, end: end, corrects: corrects, currency: currency), by: Self.actor(caller, context)
            )
            return Self.billResponse(issued.json, status: .created)
        } catch let error as StoreError {
            switch error {
            case .notFound: throw APIError(.notFound, error.description)
            case .conflict: throw APIError(.conflict, error.description)
            default: throw error
            }
        }
    }

    @Sendable func listBills(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let limit = try Self.limit(request)
        let account = try Self.query(request, "account")
        return JSONResponse.make(DTO.List(items: try await services.store.bills(account: account, limit: limit)))
    }

    /// The bill exactly as stored when it was issued.
    @Sendable func getBill(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let id = try context.parameters.require("id")
        guard let json = try await services.store.billJSON(id: id) else { throw APIError(.notFound, "bill \(id) not found") }
        return Self.billResponse(json, status: .ok)
    }

    static func billResponse(_ json: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
    }
}
