import Foundation
import Hummingbird
import Protocol

/// Login and logout (docs/web.md): bcrypt passwords, a lockout per account and per address, a
/// session cookie, and every login, failure and lockout in the audit log or the security events.
extension WebApp {
    /// The login form's own CSRF defence: before there is a session, a random value in a cookie
    /// that the form must repeat (a page on another site can do neither).
    static let loginCookie = "imprimatur_login"
    /// A bcrypt hash (cost 12, of `imprimatur-no-such-user`), checked in place of a password hash
    /// for an unknown account or one without a password; whatever it matches, the login fails.
    static let unknownAccountHash = "$2b$12$nmXfXlBCojwjFP2L3XINZOVxXxA0QCbV6RM/18p4HI9M6fi0ncFzi"

    @Sendable func loginPage(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try loginForm(request, message: nil, status: .ok)
    }

    func loginForm(_ request: Request, message: String?, status: HTTPResponse.Status, account: String = "", next: String? = nil) throws -> Response {
        let token = WebSessionPolicy.token(Self.randomBytes())
        var data: [String: Any] = ["title": "Log in", "csrf": token, "next": Self.safeNext(next ?? self.nextFromQuery(request)), "account": account]
        if let message { data["problem"] = message }
        let cookie = "\(Self.loginCookie)=\(token); Path=/web/login; HttpOnly; SameSite=Strict" + (policy.secureCookie ? "; Secure" : "")
        return Self.html(try renderer.render("login", data), status: status, headers: [.setCookie: cookie])
    }

    @Sendable func login(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let form = try await Self.readForm(request, context)
        let cookieToken = Self.cookie(Self.loginCookie, in: request.headers[.cookie])
        guard let cookieToken, WebSessionPolicy.csrfMatches(expected: cookieToken, given: form.pairs.first { $0.0 == "csrf" }?.1) else {
            throw WebError.csrf
        }
        let account = (form["user"] ?? "").lowercased()
        let password = form.pairs.first { $0.0 == "password" }?.1 ?? ""
        let next = Self.safeNext(form["next"] ?? "/web")
        guard !account.isEmpty, !password.isEmpty else {
            return try loginForm(request, message: "enter your user id and your password", status: .badRequest, account: account, next: next)
        }
        let source = context.peerAddress
        let now = services.clock.now()
        let since = throttle.windowStart(now)
        // The lockout counts per person, not per spelling: an account typed as the display name
        // logged in after the id was locked (issue 21). Unknown names count as typed.
        let user = try await findUser(account)
        // A browser that logged in as this person before is judged by its own failures alone:
        // neither its address's count (an office behind one address) nor the account's (run
        // up by someone elsewhere) locks it out (issue 21).
        let device = user.flatMap { user in
            Self.cookie(WebDeviceCookie.name, in: request.headers[.cookie])
                .flatMap { WebDeviceCookie.verify($0, keys: trustedKeys(), now: now) }
                .flatMap { $0.user == user.id ? $0 : nil }
        }
        let key = device.map { "device:\($0.id)" } ?? user?.id.value ?? account
        func decide() async throws -> LoginThrottle.Decision {
            throttle.decide(
                accountFailures: try await store.loginFailures(account: key, since: since),
                sourceFailures: device == nil ? try await store.loginFailures(source: source, since: since) : [], now: now
            )
        }
        let decision = try await decide()
        if case let .locked(until, reason) = decision {
            try await services.securityGate.record(SecurityEvent(at: now, kind: "web login refused (locked)", userID: try? UserID(account), detail: "\(reason); from \(source)"), source: source)
            return try loginForm(request, message: "Locked: \(reason). Try again after \(TimeText.iso8601(until)).", status: .tooManyRequests, account: account, next: next)
        }
        var good = false
        if let user, user.active, let hash = user.passwordHash {
            good = await Secrets.bcryptVerify(password, hash: hash)
        } else {
            // As slow as a real check, so the answer's time does not tell which accounts exist.
            _ = await Secrets.bcryptVerify(password, hash: Self.unknownAccountHash)
        }
        guard let user, good else {
            try await store.recordLoginFailure(account: key, source: source, at: now)
            try await services.securityGate.record(SecurityEvent(at: now, kind: "web login failed", userID: user?.id, detail: "wrong user or password for \"\(account)\" from \(source)"), source: source)
            let after = try await decide()
            if case let .locked(until, reason) = after {
                try await store.appendAudit(AuditRecord(actor: "web", source: source, action: "web.lockout", target: "account:\(key)", details: ["reason": reason, "until": TimeText.iso8601(until)], at: now))
                try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "web login lockout", userID: user?.id, detail: "\(reason); locked until \(TimeText.iso8601(until)); from \(source)"))
                return try loginForm(request, message: "Locked: \(reason). Try again after \(TimeText.iso8601(until)).", status: .tooManyRequests, account: account, next: next)
            }
            return try loginForm(request, message: "Wrong user or password.", status: .unauthorized, account: account, next: next)
        }
        try await store.clearLoginFailures(account: key)
        let sessionID = WebSessionPolicy.token(Self.randomBytes())
        let session = WebSession(
            idHash: WebSessionPolicy.storedHash(sessionID), userID: user.id, csrf: WebSessionPolicy.token(Self.randomBytes()),
            source: source, created: now, lastSeen: now
        )
        try await store.createWebSession(session, audit: AuditActor.user(user.id, from: context.peer).record("web.login", target: "user:\(user.id)", at: now))
        var cookies: HTTPFields = [.setCookie: policy.cookie(sessionID)]
        if let signing = try? services.keyRing.keys().current.signingKey {
            let value = WebDeviceCookie.value(user: user.id, issued: now, nonce: Array(Self.randomBytes().prefix(16)), key: signing)
            cookies.append(HTTPFields.Element(name: .setCookie, value: WebDeviceCookie.setCookie(value, secure: policy.secureCookie)))
        }
        return Self.redirect(next, headers: cookies)
    }

    @Sendable func logout(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request)
        _ = try await form(request, context, caller)
        try await store.deleteWebSession(idHash: caller.session.idHash, audit: actor(caller, context).record("web.logout", target: "user:\(caller.user.id)", at: services.clock.now()))
        return Self.redirect("/web/login", headers: [.setCookie: policy.clearedCookie()])
    }

    func nextFromQuery(_ request: Request) -> String { Self.query(request)["next"] ?? "/web" }

    /// By id, or else by display name (case-insensitive) when exactly one user has it.
    func findUser(_ account: String) async throws -> User? {
        if let id = try? UserID(account), let user = try await store.user(id: id) { return user }
        let named = try await store.users().filter { $0.name.lowercased() == account }
        return named.count == 1 ? named[0] : nil
    }

    /// Only a path on this site (no `//host`, no scheme): a login link cannot send people elsewhere.
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/web"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\r"), !next.contains("\n") else { return "/web" }
        return next
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// The keys a device cookie may be signed with: the current and the retired ones (a
    /// rotation does not forget the browsers); none if the key folder cannot be read.
    private func trustedKeys() -> [PublicKey] {
        (try? services.keyRing.keys().keys.map(\.publicKey)) ?? []
    }

    static func randomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
