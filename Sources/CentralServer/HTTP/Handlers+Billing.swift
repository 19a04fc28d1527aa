import Foundation
import Hummingbird
import Protocol

/// The job, charge and price routes.
extension Handlers {
    @Sendable func listJobs(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let limit = try Self.limit(request)
        return JSONResponse.make(DTO.List(items: try await services.store.jobs(limit: limit).map(DTO.JobBody.init)))
    }

    @Sendable func listCharges(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let limit = try Self.limit(request)
        return JSONResponse.make(DTO.List(items: try await services.store.charges(limit: limit).map(DTO.ChargeBody.init)))
    }

    @Sendable func listPrices(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request)
        return JSONResponse.make(DTO.List(items: try await services.store.prices().map(DTO.PriceBody.init)))
    }

    @Sendable func setPrice(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let paper = try body.string("paper")
        let colour = try body.bool("colour")
        let price = try body.integer("price")
        let currency = try body.optionalString("currency") ?? "EUR"
        try body.finish()
        let set = try await services.admin.setPrice(paper: paper, colour: colour, price: price, currency: currency, by: Self.actor(caller, context))
        return JSONResponse.make(DTO.PriceBody(set))
    }
}
