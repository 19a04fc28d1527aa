import Foundation
import Hummingbird
import Protocol

/// The HTTP routes: `/healthz`, `/metrics`, `/openapi.yaml`, and the JSON API under `/api/v1`
/// (docs/openapi.yaml has every route; a test keeps the two equal).
public enum ServerRoutes {
    /// A router with every route. The uplink adds its WebSocket route to the same router.
    public static func router(_ services: ServerServices) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: APIMiddleware(metrics: services.metrics))
        let handlers = Handlers(services: services)

        router.get("/healthz", use: handlers.health)
        router.get("/metrics", use: handlers.metrics)
        router.get("/openapi.yaml", use: handlers.openAPI)

        let api = router.group("/api/v1")
        api.post("/enroll", use: handlers.enroll)

        api.get("/users", use: handlers.listUsers)
        api.post("/users", use: handlers.createUser)
        api.get("/users/:id", use: handlers.getUser)
        api.post("/users/:id/disable", use: handlers.disableUser)
        api.post("/users/:id/enable", use: handlers.enableUser)
        api.put("/users/:id/pin", use: handlers.setPIN)
        api.get("/users/:id/cards", use: handlers.listCards)
        api.post("/users/:id/cards", use: handlers.addCard)
        api.delete("/users/:id/cards/:number", use: handlers.removeCard)
        api.get("/users/:id/quota", use: handlers.getQuota)
        api.put("/users/:id/quota", use: handlers.setQuota)

        api.get("/devices", use: handlers.listDevices)
        api.get("/devices/:id", use: handlers.getDevice)
        api.post("/enrollment-tokens", use: handlers.createEnrollmentToken)

        api.get("/jobs", use: handlers.listJobs)
        api.get("/charges", use: handlers.listCharges)
        api.get("/prices", use: handlers.listPrices)
        api.post("/prices", use: handlers.setPrice)

        api.get("/audit", use: handlers.listAudit)
        api.get("/audit/verify", use: handlers.verifyAudit)
        return router
    }
}

/// The route handlers; each checks the caller, reads and checks its input, and answers JSON.
struct Handlers: Sendable {
    let services: ServerServices
    var auth: Authenticator { Authenticator(store: services.store) }
    static let readers: Set<Role> = [.administrator, .auditor]
    static let writers: Set<Role> = [.administrator]

    // MARK: Operations

    @Sendable func health(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var storeOK = true
        do { try await services.store.ping() } catch { storeOK = false }
        struct Health: Encodable {
            let status: String
            let version: String
            let protocolVersion: UInt8
            let store: String
            enum CodingKeys: String, CodingKey {
                case status, version, store
                case protocolVersion = "protocol_version"
            }
        }
        return JSONResponse.make(
            Health(status: storeOK ? "ok" : "degraded", version: ServerInfo.version, protocolVersion: ServerInfo.protocolVersion, store: storeOK ? "ok" : "unavailable"),
            status: storeOK ? .ok : .serviceUnavailable
        )
    }

    @Sendable func metrics(_ request: Request, context: ServerRequestContext) async throws -> Response {
        JSONResponse.text(services.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    @Sendable func openAPI(_ request: Request, context: ServerRequestContext) async throws -> Response {
        JSONResponse.text(OpenAPIDocument.yaml, contentType: "application/yaml; charset=utf-8")
    }

    // MARK: Enrolment

    @Sendable func enroll(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var body = try await Self.body(request, context)
        let enrollment = EnrollmentService.Request(
            token: try body.string("token"),
            deviceID: try body.string("device_id"),
            publicKey: try body.string("public_key"),
            model: try body.string("model"),
            firmware: try body.string("firmware"),
            resources: try body.optionalObjects("resources", limit: EnrollmentService.maximumResources) { (entry: inout JSONObjectReader) throws(InputError) in
                (id: try entry.string("id"), type: try entry.string("type"))
            }
        )
        try body.finish()
        let result = try await services.enrollment.enroll(enrollment, source: context.peer)
        return JSONResponse.make(DTO.EnrollmentBody(
            deviceID: result.device.id.value, name: result.device.name, serverID: result.serverID.value,
            serverKeys: result.serverKeys.map(DTO.ServerKeyBody.init),
            resources: result.device.resources.map { DTO.ResourceBody(id: $0.id.value, type: $0.type.description) }
        ), status: .created)
    }

    @Sendable func createEnrollmentToken(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let name = try body.string("name")
        let lifetime = try TimeText.duration(try body.optionalString("expires") ?? "24h", field: "expires")
        try body.finish()
        let (token, expires) = try await services.admin.createEnrollmentToken(name: name, lifetime: lifetime, by: Self.actor(caller, context))
        return JSONResponse.make(["token": token, "name": name, "expires": TimeText.iso8601(expires)], status: .created)
    }

    // MARK: Users

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

    private func quotaResponse(_ id: UserID) async throws -> Response {
        guard try await services.store.user(id: id) != nil else { throw APIError(.notFound, "user \(id) not found") }
        guard let quota = try await services.store.quota(userID: id) else { throw APIError(.notFound, "user \(id) has no quota") }
        let now = services.clock.now()
        let totals = try await services.store.ledgerTotals(userID: id, unit: quota.unit, period: quota.period.period(containing: now))
        return JSONResponse.make(DTO.QuotaBody(quota, state: QuotaState(quota: quota, totals: totals, at: now)))
    }

    private func userResponse(_ id: UserID, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let user = try await services.store.user(id: id) else { throw APIError(.notFound, "user \(id) not found") }
        return JSONResponse.make(DTO.UserBody(user), status: status)
    }

    // MARK: Devices

    @Sendable func listDevices(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        return JSONResponse.make(DTO.List(items: try await services.store.devices().map { DTO.DeviceBody($0) }))
    }

    @Sendable func getDevice(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let id = try InputRules.deviceID(try context.parameters.require("id"), field: "id")
        guard let device = try await services.store.device(id: id) else { throw APIError(.notFound, "device \(id) not found") }
        return JSONResponse.make(DTO.DeviceBody(device, permissions: try await services.store.devicePermissions(id)))
    }

    // MARK: Jobs, charges, prices

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

    // MARK: Audit

    @Sendable func listAudit(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let limit = try Self.limit(request)
        let after = try Self.query(request, "after").map { text throws(InputError) -> UInt64 in
            guard let value = UInt64(text) else { throw InputError(field: "after", "must be an entry number (0 or more)") }
            return value
        } ?? 0
        return JSONResponse.make(DTO.List(items: try await services.store.auditEntries(after: after, limit: limit).map(DTO.AuditEntryBody.init)))
    }

    @Sendable func verifyAudit(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        struct Result: Encodable {
            let intact: Bool
            let entries: UInt64?
            let head: String?
            let brokenAt: UInt64?
            let problem: String?
            enum CodingKeys: String, CodingKey {
                case intact, entries, head, problem
                case brokenAt = "broken_at"
            }
        }
        switch try await services.store.verifyAuditChain() {
        case let .intact(count, head):
            return JSONResponse.make(Result(intact: true, entries: count, head: head.hex, brokenAt: nil, problem: nil))
        case let .broken(chainBreak):
            return JSONResponse.make(Result(intact: false, entries: nil, head: nil, brokenAt: chainBreak.sequence, problem: chainBreak.description))
        }
    }

    // MARK: Input helpers

    static func body(_ request: Request, _ context: ServerRequestContext) async throws -> JSONObjectReader {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return try JSONObjectReader(body: Array(buffer.readableBytesView))
    }

    /// Refuses a body on a route that takes none (anything but empty or `{}`).
    static func emptyBody(_ request: Request, _ context: ServerRequestContext) async throws {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) else { return }
        try JSONObjectReader(body: bytes).finish()
    }

    static func userID(_ context: ServerRequestContext) throws -> UserID {
        try InputRules.userID(try context.parameters.require("id"), field: "id")
    }

    static func query(_ request: Request, _ name: String) throws(InputError) -> String? {
        request.uri.queryParameters.get(name)
    }

    /// `?limit=N`, 1 to 1000, default 100.
    static func limit(_ request: Request) throws(InputError) -> Int {
        guard let text = try query(request, "limit") else { return 100 }
        guard let value = Int(text), (1...1000).contains(value) else { throw InputError(field: "limit", "must be a number from 1 to 1000") }
        return value
    }

    static func actor(_ user: User, _ context: ServerRequestContext) -> AuditActor {
        .user(user.id, from: context.peer)
    }
}
