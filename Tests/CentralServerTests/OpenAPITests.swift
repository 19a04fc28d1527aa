import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CentralServer

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path/{param}` for each operation under `paths:` (a line-based reading of the
    /// document's own layout: paths at two spaces, methods at four).
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty, !line.hasPrefix(" ") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete", "patch", "head", "options"].contains(key) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    static func routedOperations(_ router: Router<ServerRequestContext>) -> Set<String> {
        Set(router.routes.map { route in
            let path = route.path.components.map { element -> String in
                let text = element.description
                return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws {
        let server = try TestServer()
        let documented = Self.documentedOperations(OpenAPIDocument.yaml)
        let routed = Self.routedOperations(ServerRoutes.router(server.services))
        #expect(documented.count > 20)
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }

    @Test func theCheckerSeesAMissingRoute() {
        let trimmed = OpenAPIDocument.yaml.replacingOccurrences(of: "  /api/v1/charges:\n    get:", with: "  /api/v1/charges:\n    x-removed:")
        #expect(!Self.documentedOperations(trimmed).contains("GET /api/v1/charges"))
        #expect(Self.documentedOperations(OpenAPIDocument.yaml).contains("GET /api/v1/charges"))
        #expect(Self.documentedOperations(OpenAPIDocument.yaml).contains("DELETE /api/v1/users/{id}/cards/{number}"))
    }

    @Test func theServedDocumentIsTheOneInDocs() async throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let file = try String(contentsOf: docs, encoding: .utf8)
        #expect(file == OpenAPIDocument.yaml + "\n", "docs/openapi.yaml differs from OpenAPIDocument.yaml; regenerate it: imprimatur-server openapi > docs/openapi.yaml")
        let server = try TestServer()
        try await server.http { client async throws in
            let response = try await client.call(.get, "/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(response.text == OpenAPIDocument.yaml)
        }
    }
}

@Suite("HTTP input fuzzing")
struct HTTPFuzzTests {
    /// A small seeded generator so that a failure can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [String] = [
        #"{"name": "Fuzz User", "roles": ["employee"], "cards": ["c1"], "pin": "1234", "department": "x"}"#,
        #"{"paper": "A4", "colour": true, "price": 5, "currency": "EUR"}"#,
        #"{"name": "dev", "expires": "1h"}"#,
        #"{"number": "card-9"}"#,
        #"{"pin": "123456"}"#,
        #"{"limit": 10, "unit": "money", "currency": "EUR", "adjustment": 3, "period": "weekly"}"#,
        #"{"token": "0000000000000000000000000000000000000000000000000000000000000000", "device_id": "d-1", "public_key": "AAAA", "model": "m", "firmware": "1", "resources": [{"id": "c", "type": "copier"}]}"#,
        "{}", "[]", "null", "\"text\"", "123456789012345678901234567890", "1e999", #"{"a": {"b": [1, 2, {"c": null}]}}"#,
    ]

    static let fragments: [String] = [
        "null", "true", "-1", "0", "1.5", "9223372036854775808", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}",
        "\"A4\"", "\"seal\"", "[\"employee\"]", String(repeating: "[", count: 600), "\"\(String(repeating: "9", count: 300))\"",
    ]

    static func mutate(_ seed: String, using rng: inout SplitMix64) -> [UInt8] {
        var bytes = Array(seed.utf8)
        switch rng.next() % 6 {
        case 0:  // random bytes
            return (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 1:  // flip some bytes
            for _ in 0..<(1 + rng.next() % 4) where !bytes.isEmpty {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 2:  // truncate
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
        case 3:  // replace a value after a colon with another JSON fragment
            if let colon = bytes.indices.filter({ bytes[$0] == UInt8(ascii: ":") }).randomElement(using: &rng) {
                let end = bytes[(colon + 1)...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") } ?? bytes.endIndex
                bytes.replaceSubrange((colon + 1)..<end, with: Array(fragments.randomElement(using: &rng)!.utf8))
            }
        case 4:  // duplicate a slice
            if bytes.count > 2 {
                let start = Int(rng.next() % UInt64(bytes.count - 1))
                let end = start + 1 + Int(rng.next() % UInt64(bytes.count - start - 1))
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            }
        default:  // a seed for another route
            return Array(seeds.randomElement(using: &rng)!.utf8)
        }
        return bytes
    }

    @Test func malformedBodiesNeverGetA5xx() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.addUser("target")
        let writeRoutes = OpenAPITests.routedOperations(ServerRoutes.router(server.services))
            .filter { $0.hasPrefix("POST ") || $0.hasPrefix("PUT ") }
            .map { $0.replacingOccurrences(of: "{id}", with: "target") }
            .sorted()
        #expect(writeRoutes.count >= 9)
        var rng = SplitMix64(state: 0x1A2B_3C4D_5E6F_7081)
        let bodiesPerRoute = 250
        var bodies: [(String, [UInt8])] = []
        for route in writeRoutes {
            for index in 0..<bodiesPerRoute {
                bodies.append((route, Self.mutate(Self.seeds[index % Self.seeds.count], using: &rng)))
            }
        }
        // Fixed hard cases: nesting deeper than the JSON parser allows, huge numbers, NUL bytes.
        for route in writeRoutes {
            bodies.append((route, Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)))
            bodies.append((route, Array((String(repeating: #"{"a":"#, count: 2000) + "1" + String(repeating: "}", count: 2000)).utf8)))
            bodies.append((route, Array(#"{"name": 1e400, "limit": -0, "price": 18446744073709551616}"#.utf8)))
            bodies.append((route, [0x7b, 0x00, 0x7d]))
        }
        let cases = bodies
        let failures = try await server.http { client async throws in
            var failures: [String] = []
            for (route, body) in cases {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                let response = try await client.call(method, String(parts[1]), token: admin, bytes: body)
                if response.status.code >= 500 {
                    failures.append("\(route) \(response.status.code) body \(String(decoding: body, as: UTF8.self).debugDescription): \(response.text)")
                }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }
}
