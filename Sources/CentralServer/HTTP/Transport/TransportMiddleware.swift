import Hummingbird
import HTTPTypes

/// What the connection's transport means for every request: behind a trusted proxy, the
/// client's address comes from `X-Forwarded-For` (so lockouts and the audit log name the
/// client, not the proxy); over TLS, every answer carries HSTS so a browser that has once
/// reached the server securely never falls back to plain HTTP (a network attacker could
/// otherwise strip TLS from the next visit).
struct TransportMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let trustedProxies: TrustedProxies
    let hsts: Bool

    /// One year, the value browsers' preload lists expect; subdomains are not claimed, since
    /// the server does not know what else runs under its name.
    static let hstsValue = "max-age=31536000"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if !trustedProxies.isEmpty {
            let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!]
            let client = trustedProxies.client(peer: context.peerAddress, forwardedFor: forwarded)
            if client != context.peerAddress { context.forwarded(client: client) }
        }
        var response = try await next(request, context)
        if hsts { response.headers[HTTPField.Name("Strict-Transport-Security")!] = Self.hstsValue }
        return response
    }
}
