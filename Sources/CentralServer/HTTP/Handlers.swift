import Foundation
import Hummingbird
import Protocol

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
        try InputRules.userID(try pathParameter(context, "id"), field: "id")
    }

    /// A path parameter as the client wrote it before encoding: clients percent-encode path
    /// segments (ids may hold ':' and '@', sent as %3A and %40) and the router hands the segment
    /// over undecoded, so `alice%40example` was refused as an invalid id (found by schemathesis).
    static func pathParameter(_ context: ServerRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let text = raw.removingPercentEncoding else { throw InputError(field: name, "is not valid percent-encoding") }
        return text
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
