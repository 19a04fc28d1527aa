import Foundation
import HummingbirdTesting
import Hummingbird
import Testing
@testable import CentralServer

/// Issue 14 (schemathesis): ids may hold ':' and '@', which clients percent-encode in a path
/// (`/api/v1/users/ops%3Aalice%40hq`); the router hands the segment over undecoded and the
/// server refused a valid id with 400 "byte 37 ... is not one of A-Z a-z 0-9 . _ - : @".
@Suite("REST API: percent-encoded path parameters")
struct PathParameterDecodingTests {
    @Test func aPercentEncodedUserIDNamesTheUser() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "ada", roles: ["administrator"])
        try await server.addUser("ops:alice@hq")
        try await server.http { client async throws in
            let encoded = try await client.call(.get, "/api/v1/users/ops%3Aalice%40hq", token: admin)
            #expect(encoded.status == .ok, "\(encoded.text)")
            #expect(encoded.object["id"] as? String == "ops:alice@hq")
            let plain = try await client.call(.get, "/api/v1/users/ops:alice@hq", token: admin)
            #expect(plain.status == .ok)
            // Bad percent-encoding is the client's error, not an unknown user.
            #expect(try await client.call(.get, "/api/v1/users/ops%ZZ", token: admin).status == .badRequest)
        }
    }

    @Test func aPercentEncodedApplicationIDIsReadAsTheID() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "ada", roles: ["administrator"])
        try await server.http { client async throws in
            // No such application: 404 for the decoded id, where it was 400 for the '%'.
            let response = try await client.call(.get, "/api/v1/seal-applications/sa%3A1", token: admin)
            #expect(response.status == .notFound, "\(response.text)")
        }
    }
}
