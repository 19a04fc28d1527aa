import Foundation
import Hummingbird
import Protocol

/// The back-office web pages (issue 7; docs/web.md): server-rendered HTML over the same services
/// the REST API uses, behind a login session with a CSRF token on every form. Each role sees its
/// own pages; anything else is a 403 page. Every change goes through a service with the person
/// and their address as the audit actor.
public struct WebApp: Sendable {
    let services: ServerServices
    let renderer: WebRenderer
    let policy: WebSessionPolicy
    let throttle: LoginThrottle
    /// Where uploaded page images and photos are (nil: the server has no data folder; pictures are not shown).
    let blobs: BlobFiles?
    let stylesheet: String

    public init(services: ServerServices, policy: WebSessionPolicy = WebSessionPolicy(), throttle: LoginThrottle = LoginThrottle(), blobs: BlobFiles? = nil) throws {
        self.services = services
        renderer = try WebRenderer.bundled()
        self.policy = policy
        self.throttle = throttle
        self.blobs = blobs
        stylesheet = WebRenderer.stylesheet()
    }

    var store: any ServerStore { services.store }

    typealias Handler = @Sendable (Request, ServerRequestContext) async throws -> Response

    /// Adds every page to `router` (docs/openapi.yaml lists them with the API).
    public func install(on router: Router<ServerRequestContext>) {
        router.get("/", use: wrap { _, _ in Self.redirect("/web") })
        router.get("/web/static/site.css", use: wrap { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: stylesheet)))
        })
        router.get("/web/login", use: wrap(loginPage))
        router.post("/web/login", use: wrap(login))
        router.post("/web/logout", use: wrap(logout))
        router.get("/web", use: wrap(dashboard))
        router.get("/web/usage", use: wrap(usage))
        router.get("/web/blobs/:hash", use: wrap(blob))

        router.get("/web/me", use: wrap(myUse))
        router.get("/web/applications", use: wrap(applications))
        router.post("/web/applications", use: wrap(apply))
        router.get("/web/applications/:id", use: wrap(application))
        router.post("/web/applications/:id/:action", use: wrap(actOnApplication))
        router.get("/web/shares", use: wrap(shares))
        router.post("/web/shares/:job/:payer/:action", use: wrap(actOnShare))
        router.get("/web/bills", use: wrap(bills))
        router.get("/web/bills/:id", use: wrap(bill))

        router.get("/web/inbox", use: wrap(inbox))

        router.get("/web/admin/users", use: wrap(adminUsers))
        router.post("/web/admin/users", use: wrap(adminCreateUser))
        router.get("/web/admin/users/:id", use: wrap(adminUser))
        router.post("/web/admin/users/:id/:action", use: wrap(adminUserAction))
        router.get("/web/admin/prices", use: wrap(adminPrices))
        router.post("/web/admin/prices", use: wrap(adminSetPrice))
        router.get("/web/admin/devices", use: wrap(adminDevices))
        router.get("/web/admin/tokens", use: wrap(adminTokens))
        router.post("/web/admin/tokens", use: wrap(adminCreateToken))
        router.get("/web/admin/firmware", use: wrap(adminFirmware))
        router.post("/web/admin/firmware/rollouts", use: wrap(adminStartRollout))
        router.get("/web/admin/firmware/rollouts/:id", use: wrap(adminRollout))

        router.get("/web/audit/jobs", use: wrap(auditJobs))
        router.get("/web/audit/jobs/:id", use: wrap(auditJob))
        router.get("/web/audit/seal-uses", use: wrap(auditSealUses))
        router.get("/web/audit/security", use: wrap(auditSecurity))
        router.get("/web/audit/log", use: wrap(auditLog))
    }

    /// Every page's errors become a page that says what was wrong, with the right status; a
    /// missing session goes to the login page; the server's own faults are logged, not shown.
    func wrap(_ handler: @escaping Handler) -> Handler {
        { request, context in
            do {
                return try await handler(request, context)
            } catch {
                guard let known = WebError.from(error) else {
                    context.logger.error("web page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                    return errorPage(WebError(.internalServerError, "something went wrong on the server; it is in the server's log"))
                }
                if known.needsLogin {
                    let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                    return Self.redirect("/web/login?next=" + TableQuery.escape(back))
                }
                return errorPage(known)
            }
        }
    }

    func errorPage(_ error: WebError) -> Response {
        let body = (try? renderer.render("error", ["title": "\(error.status.code) \(error.status.reasonPhrase)", "message": error.message, "status": error.status.code]))
            ?? "<!doctype html><title>\(error.status.code)</title><p>\(HTMLText.escape(error.message))</p>"
        return Self.html(body, status: error.status)
    }

    // MARK: Sessions

    /// The logged-in person, whose session is live; refreshes its last use.
    func caller(_ request: Request) async throws -> WebCaller {
        guard let id = WebSessionPolicy.sessionID(cookieHeader: request.headers[.cookie]) else { throw WebError.login }
        let hash = WebSessionPolicy.storedHash(id)
        guard let session = try await store.webSession(idHash: hash) else { throw WebError.login }
        let now = services.clock.now()
        guard policy.isLive(created: session.created, lastSeen: session.lastSeen, now: now) else {
            try await store.deleteWebSession(idHash: hash, audit: nil)
            throw WebError.login
        }
        guard let user = try await store.user(id: session.userID), user.active else {
            try await store.deleteWebSession(idHash: hash, audit: nil)
            throw WebError.login
        }
        try await store.touchWebSession(idHash: hash, at: now)
        return WebCaller(user: user, session: session)
    }

    /// The caller, who must hold one of `roles`.
    func caller(_ request: Request, _ roles: Set<Role>) async throws -> WebCaller {
        let caller = try await caller(request)
        guard !caller.user.roles.isDisjoint(with: roles) else {
            throw WebError.forbidden("this page is for the role \(roles.sorted().map(\.rawValue).joined(separator: " or ")); you are \(caller.user.roles.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        return caller
    }

    /// A posted form, whose CSRF token must be the session's (else 403).
    func form(_ request: Request, _ context: ServerRequestContext, _ caller: WebCaller) async throws -> FormFields {
        let fields = try await Self.readForm(request, context)
        guard WebSessionPolicy.csrfMatches(expected: caller.session.csrf, given: fields.pairs.first { $0.0 == "csrf" }?.1) else {
            services.logger.warning("web: a form without its CSRF token", metadata: ["user": "\(caller.user.id)", "path": "\(request.uri.path)"])
            throw WebError.csrf
        }
        return fields
    }

    static func readForm(_ request: Request, _ context: ServerRequestContext) async throws -> FormFields {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try FormFields(parsing: String(buffer: buffer))
    }

    func actor(_ caller: WebCaller, _ context: ServerRequestContext) -> AuditActor {
        .user(caller.user.id, from: context.peer)
    }

    /// The page's query parameters.
    static func query(_ request: Request) -> FormFields {
        (try? FormFields(parsing: request.uri.query ?? "")) ?? FormFields(pairs: [])
    }

    // MARK: Responses

    /// `template` inside the layout for `caller`, with the notice a redirect carried (WebNotice).
    func page(_ template: String, _ caller: WebCaller, _ request: Request, title: String, _ data: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        var context = data
        context["title"] = title
        context["me"] = ["id": caller.user.id.value, "name": caller.user.name, "roles": caller.user.roles.sorted().map(\.rawValue).joined(separator: ", ")]
        context["csrf"] = caller.session.csrf
        context["nav"] = WebNavigation.items(for: caller.user.roles, current: request.uri.path)
        context["hasNav"] = true
        // A notice the last form left for this session is shown once, then its cookie is cleared.
        var headers: HTTPFields = [:]
        if let value = Self.cookie(WebNotice.cookieName, in: request.headers[.cookie]) {
            if let notice = WebNotice.read(value, csrf: caller.session.csrf) { context["notice"] = notice }
            headers[.setCookie] = WebNotice.clearedCookie(secure: policy.secureCookie)
        }
        return Self.html(try renderer.render(template, context), status: status, headers: headers)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            // No scripts at all, no framing: the pages are plain HTML and one stylesheet.
            .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        for field in headers { fields.append(field) }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: after a form, the browser loads `location` with GET.
    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [.location: location]
        for field in headers { fields.append(field) }
        return Response(status: .seeOther, headers: fields)
    }

    /// Back to `path` with a message shown at the top of the page (in a cookie bound to the
    /// caller's session: WebNotice says why not in the query string).
    func done(_ path: String, notice: String, for caller: WebCaller) -> Response {
        Self.redirect(path, headers: [.setCookie: WebNotice.setCookie(notice, csrf: caller.session.csrf, secure: policy.secureCookie)])
    }

    static func csv(_ text: String, filename: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename).csv\"", .cacheControl: "no-store",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A logged-in person and their session.
struct WebCaller: Sendable {
    let user: User
    let session: WebSession
}
