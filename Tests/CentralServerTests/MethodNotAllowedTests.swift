import Hummingbird
import HummingbirdTesting
import Testing
@testable import CentralServer

/// A routed path asked with a method it does not answer gets 405 and `Allow` (RFC 9110), not
/// the 404 of a path that does not exist (issue 14: schemathesis's unsupported-method check).
@Suite("405 Method Not Allowed")
struct MethodNotAllowedTests {
    @Test func theTablePicksTheMostSpecificRoutedPath() {
        let table = RouteMethods([
            (method: "GET", path: ["api", "v1", "seal-records"]),
            (method: "GET", path: ["api", "v1", "seal-records", "report"]),
            (method: "GET", path: ["api", "v1", "users", "{id}"]),
            (method: "DELETE", path: ["api", "v1", "users", ":id", "cards", ":number"]),
            (method: "POST", path: ["api", "v1", "users", ":id", "cards"]),
            (method: "GET", path: ["api", "v1", "users", ":id", "cards"]),
            (method: "POST", path: ["web", "applications", ":id", ":action"]),
            (method: "GET", path: ["web", "applications", ":id", "photo"]),
            (method: "GET", path: []),
        ])
        #expect(table.allowed(onPath: "/api/v1/users/alice") == ["GET"])
        #expect(table.allowed(onPath: "/api/v1/users/alice/cards") == ["GET", "POST"])
        #expect(table.allowed(onPath: "/api/v1/users/alice/cards/0042") == ["DELETE"])
        #expect(table.allowed(onPath: "/api/v1/seal-records/report") == ["GET"])
        #expect(table.allowed(onPath: "/web/applications/7/photo") == ["GET"])
        #expect(table.allowed(onPath: "/web/applications/7/approve") == ["POST"])
        #expect(table.allowed(onPath: "/") == ["GET"])
        #expect(table.allowed(onPath: "/api/v1/nowhere") == nil)
        #expect(table.allowed(onPath: "/api/v1/users/alice/cards/0042/more") == nil)
    }

    @Test func anUnroutedMethodIs405WithAllowAndARoutedOneIsUntouched() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let put = try await client.call(.put, "/api/v1/users", token: admin)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            #expect(put.object["error"] as? String == "PUT is not allowed on /api/v1/users; allowed: GET, POST")

            let anonymous = try await client.call(.delete, "/api/v1/users/alice")
            #expect(anonymous.status == .methodNotAllowed)
            #expect(anonymous.headers[.allow] == "GET")

            let trace = try await client.call(.trace, "/web/login")
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET, POST")

            // A path that is not routed at all is still 404; a routed method is answered as before.
            #expect(try await client.call(.put, "/api/v1/nowhere", token: admin).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/users", token: admin).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users/nobody", token: admin).status == .notFound)
        }
    }

    @Test func theUplinksRouteAnswers405ForOtherMethods() async throws {
        let server = try TestServer()
        let router = ServerRoutes.router(server.services)
        UplinkEndpoint(services: server.services, dataDirectory: server.directory.path, timeouts: ConnectionTimeouts()).install(on: router)
        try await ServerRunner.application(server.services, router: router, host: "127.0.0.1", port: 0).test(.router) { client in
            let post = try await client.execute(uri: "/uplink", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET")
        }
    }
}
