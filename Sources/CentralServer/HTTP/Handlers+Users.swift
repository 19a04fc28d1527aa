import Foundation
import Hummingbird
import Protocol

/// The user, card, PIN and quota routes.
extension Handlers {
    @Sendable func listUsers(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        return JSONResponse.make(DTO.List(items: try await services.store.users().map(DTO.UserBody.init)))
    }

    @Sendable func createUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let newUser = AdminService.NewUser(
            id: try body.optionalString("id"),
            name: try body.string("name"),
            department: try body.optionalString("department"),
            roles: try body.optionalStrings("roles", limit: Role.allCases.count) ?? [],
            cards: try body.optionalStrings("cards", limit: 16) ?? [],
            pin: try body.optionalString("pin"),
            password: try body.optionalString("password")
        )
        try body.finish()
        if newUser.roles.isEmpty { throw InputError(field: "roles", "at least one role is needed") }
        let user = try await services.admin.createUser(newUser, by: Self.actor(caller, context))
        return JSONResponse.make(DTO.UserBody(user), status: .created)
    }

    @Sendable func getUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.userID(context)
        _ = try await auth.requireSelfOr(request, subject: id, Self.readers)
        guard let user = try await services.store.user(id: id) else { throw APIError(.notFound, "user \(id) not found") }
        return JSONResponse.make(DTO.UserBody(user))
    }

    @Sendable func disableUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        try await setActive(request, context, active: false)
    }

    @Sendable func enableUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        try await setActive(request, context, active: true)
    }

    private func setActive(_ request: Request, _ context: ServerRequestContext, active: Bool) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        try await Self.emptyBody(request, context)
        try await services.admin.setActive(id.value, active: active, by: Self.actor(caller, context))
        return try await userResponse(id)
    }

    @Sendable func setPIN(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        var body = try await Self.body(request, context)
        let pin = try body.string("pin")
        try body.finish()
        try await services.admin.setPIN(id.value, pin: pin, by: Self.actor(caller, context))
        return try await userResponse(id)
    }

    @Sendable func listCards(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.userID(context)
        _ = try await auth.requireSelfOr(request, subject: id, Self.readers)
        guard let user = try await services.store.user(id: id) else { throw APIError(.notFound, "user \(id) not found") }
        return JSONResponse.make(DTO.List(items: user.cards))
    }

    @Sendable func addCard(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        var body = try await Self.body(request, context)
        let number = try body.string("number")
        try body.finish()
        try await services.admin.addCard(id.value, card: number, by: Self.actor(caller, context))
        return try await userResponse(id, status: .created)
    }

    @Sendable func removeCard(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        let raw = try context.parameters.require("number")
        guard let number = raw.removingPercentEncoding else { throw InputError(field: "number", "is not valid percent-encoding") }
        try await services.admin.removeCard(id.value, card: number, by: Self.actor(caller, context))
        return try await userResponse(id)
    }

    @Sendable func getQuota(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try Self.userID(context)
        _ = try await auth.requireSelfOr(request, subject: id, Self.readers)
        return try await quotaResponse(id)
    }

    @Sendable func setQuota(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        let id = try Self.userID(context)
        var body = try await Self.body(request, context)
        let limit = try body.integer("limit")
        let unit = try body.string("unit")
        let currency = try body.optionalString("currency")
        let adjustment = try body.optionalInteger("adjustment") ?? 0
        let period = try body.optionalString("period") ?? QuotaPeriodKind.monthly.rawValue
        try body.finish()
        try await services.admin.setQuota(
            user: id.value, limit: limit, unit: unit, currency: currency, adjustment: adjustment, period: period, by: Self.actor(caller, context)
        )
        return try await quotaResponse(id)
    }

    func quotaResponse(_ id: UserID, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard try await services.store.user(id: id) != nil else { throw APIError(.notFound, "user \(id) not found") }
        guard let quota = try await services.store.quota(userID: id),
              let state = try await services.grants.quotaState(userID: id, now: services.clock.now())
        else { throw APIError(.notFound, "user \(id) has no quota") }
        return JSONResponse.make(DTO.QuotaBody(quota, state: state), status: status)
    }

    private func userResponse(_ id: UserID, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let user = try await services.store.user(id: id) else { throw APIError(.notFound, "user \(id) not found") }
        return JSONResponse.make(DTO.UserBody(user), status: status)
    }
}
