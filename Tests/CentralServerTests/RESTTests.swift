import Foundation
import HummingbirdTesting
import Hummingbird
import Protocol
import Testing
@testable import CentralServer

@Suite("REST API")
struct RESTTests {
    @Test func healthzSaysOKWithTheVersion() async throws {
        let server = try TestServer()
        try await server.http { client async throws in
            let response = try await client.call(.get, "/healthz")
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "ok")
            #expect(response.object["store"] as? String == "ok")
            #expect(response.object["version"] as? String == ServerInfo.version)
        }
    }

    @Test func healthzReportsAClosedStore() async throws {
        let server = try TestServer()
        try await server.store.close()
        try await server.http { client async throws in
            let response = try await client.call(.get, "/healthz")
            #expect(response.status == .serviceUnavailable)
            #expect(response.object["store"] as? String == "unavailable")
        }
    }

    @Test func metricsHaveTheExpectedNames() async throws {
        let server = try TestServer()
        try await server.http { client async throws in
            try await client.call(.get, "/healthz")
            try await client.call(.get, "/nowhere")
            let text = try await client.call(.get, "/metrics").text
            for name in ["imprimatur_http_requests_total", "imprimatur_grants_issued_total", "imprimatur_grants_refused_total",
                         "imprimatur_connected_agents", "imprimatur_events_ingested_total"] {
                #expect(text.contains("# TYPE \(name)"), "\(name)")
            }
            #expect(text.contains(#"imprimatur_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
            #expect(text.contains(#"status="404""#))
            #expect(text.contains("imprimatur_connected_agents 0"))
        }
    }

    @Test func authenticationAndRoles() async throws {
        let server = try TestServer()
        let employee = try await server.token(for: "erin", roles: ["employee"])
        let auditor = try await server.token(for: "audrey", roles: ["auditor"])
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let none = try await client.call(.get, "/api/v1/users")
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            #expect(try await client.call(.get, "/api/v1/users", token: "not-a-token").status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users", token: employee).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/users", token: auditor).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users", token: admin).status == .ok)
            // Writes need the administrator.
            #expect(try await client.call(.post, "/api/v1/prices", token: auditor, json: #"{"paper":"A4","colour":false,"price":5}"#).status == .forbidden)
            // The audit log is for auditors (and administrators), not employees.
            #expect(try await client.call(.get, "/api/v1/audit", token: employee).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/audit", token: auditor).status == .ok)
            // A user may read themselves.
            #expect(try await client.call(.get, "/api/v1/users/erin", token: employee).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users/adam", token: employee).status == .forbidden)
        }
        // A disabled user's token stops working.
        try await server.admin.setActive("audrey", active: false, by: TestServer.actor)
        try await server.http { client async throws in
            #expect(try await client.call(.get, "/api/v1/users", token: auditor).status == .unauthorized)
        }
    }

    @Test func usersCardsPINsAndQuotas() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let created = try await client.call(.post, "/api/v1/users", token: admin, json: """
                {"name": "Alice Smith", "department": "finance", "roles": ["employee"], "cards": ["0004711"], "pin": "1234"}
                """)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["id"] as? String == "alice.smith")
            #expect(created.object["has_pin"] as? Bool == true)
            #expect(created.object["pin"] == nil)

            #expect(try await client.call(.post, "/api/v1/users", token: admin, json: #"{"name": "Alice Smith", "roles": ["employee"]}"#).status == .conflict)
            #expect(try await client.call(.get, "/api/v1/users/alice.smith", token: admin).object["department"] as? String == "finance")
            #expect(try await client.call(.get, "/api/v1/users", token: admin).items.count == 2)

            let disabled = try await client.call(.post, "/api/v1/users/alice.smith/disable", token: admin)
            #expect(disabled.object["active"] as? Bool == false)
            #expect(try await client.call(.post, "/api/v1/users/alice.smith/enable", token: admin, json: "{}").object["active"] as? Bool == true)
            #expect(try await client.call(.put, "/api/v1/users/alice.smith/pin", token: admin, json: #"{"pin": "987654"}"#).status == .ok)

            #expect(try await client.call(.post, "/api/v1/users/alice.smith/cards", token: admin, json: #"{"number": "A/B-9"}"#).status == .created)
            let cards = try await client.call(.get, "/api/v1/users/alice.smith/cards", token: admin)
            #expect(cards.object["items"] as? [String] == ["0004711", "A/B-9"])
            #expect(try await client.call(.post, "/api/v1/users/alice.smith/cards", token: admin, json: #"{"number": "0004711"}"#).status == .conflict)
            #expect(try await client.call(.delete, "/api/v1/users/alice.smith/cards/A%2FB-9", token: admin).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/users/alice.smith/cards/A%2FB-9", token: admin).status == .notFound)
            // The path segment is percent-decoded exactly once.
            #expect(try await client.call(.post, "/api/v1/users/alice.smith/cards", token: admin, json: #"{"number": "50%41"}"#).status == .created)
            #expect(try await client.call(.delete, "/api/v1/users/alice.smith/cards/50%2541", token: admin).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/users/alice.smith/cards/50%ZZ", token: admin).object["field"] as? String == "number")

            #expect(try await client.call(.get, "/api/v1/users/alice.smith/quota", token: admin).status == .notFound)
            let quota = try await client.call(.put, "/api/v1/users/alice.smith/quota", token: admin, json: #"{"limit": 500, "unit": "pages", "adjustment": 100}"#)
            #expect(quota.status == .ok, "\(quota.text)")
            #expect(quota.object["second_limit"] as? Int == 600)
            #expect(quota.object["remaining"] as? Int == 600)
            #expect(quota.object["period_start"] as? String == "2023-11-01T00:00:00Z")
        }
        let alice = try #require(try await server.store.user(id: Fixture.userID("alice.smith")))
        let pinHash = try #require(alice.pinHash)
        #expect(await Secrets.bcryptVerify("987654", hash: pinHash))
        let actions = try await server.store.auditEntries(after: 0, limit: 100).map(\.record.action)
        #expect(actions.suffix(9) == ["user.create", "user.disable", "user.enable", "user.set-pin", "card.add", "card.remove", "card.add", "card.remove", "quota.set"])
        let actors = try await server.store.auditEntries(after: 0, limit: 100).suffix(9).map(\.record.actor)
        #expect(Set(actors) == ["user:adam"])
    }

    @Test func enrolmentDevicesPricesJobsAndCharges() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let tokenResponse = try await client.call(.post, "/api/v1/enrollment-tokens", token: admin, json: #"{"name": "Lobby copier", "expires": "2h"}"#)
            #expect(tokenResponse.status == .created, "\(tokenResponse.text)")
            let token = try #require(tokenResponse.object["token"] as? String)
            let key = Hex.encode(Fixture.deviceKey.publicKey.bytes)
            let body = #"{"token": "\#(token)", "device_id": "lobby-1", "public_key": "\#(key)", "model": "sim", "firmware": "1.0.0", "resources": [{"id": "lobby-copier", "type": "copier"}]}"#
            let enrolled = try await client.call(.post, "/api/v1/enroll", json: body)
            #expect(enrolled.status == .created, "\(enrolled.text)")
            #expect(enrolled.object["name"] as? String == "Lobby copier")
            let keys = try #require(enrolled.object["server_keys"] as? [[String: Any]])
            #expect(keys.first?["key_id"] as? String == (try server.services.keyRing.keys().current.keyID.description))
            #expect(enrolled.object["server_id"] as? String != nil)

            let again = try await client.call(.post, "/api/v1/enroll", json: body)
            #expect(again.status == .forbidden)
            #expect((again.object["error"] as? String)?.contains("already used") == true)

            let devices = try await client.call(.get, "/api/v1/devices", token: admin)
            #expect(devices.items.first?["id"] as? String == "lobby-1")
            let device = try await client.call(.get, "/api/v1/devices/lobby-1", token: admin)
            #expect(device.object["public_key"] as? String == key)
            #expect(device.object["permissions"] as? [String] == [])
            #expect(try await client.call(.get, "/api/v1/devices/nope", token: admin).status == .notFound)

            let price = try await client.call(.post, "/api/v1/prices", token: admin, json: #"{"paper": "a3", "colour": true, "price": 40}"#)
            #expect(price.status == .ok, "\(price.text)")
            let prices = try await client.call(.get, "/api/v1/prices", token: admin)
            #expect(prices.items.count == 1)
            #expect(prices.items.first?["paper"] as? String == "A3")
            #expect(prices.items.first?["currency"] as? String == "EUR")

            #expect(try await client.call(.get, "/api/v1/jobs", token: admin).items.isEmpty)
            #expect(try await client.call(.get, "/api/v1/charges?limit=5", token: admin).items.isEmpty)

            let audit = try await client.call(.get, "/api/v1/audit?after=1&limit=2", token: admin)
            #expect(audit.items.map { $0["sequence"] as? Int } == [2, 3])
            let verify = try await client.call(.get, "/api/v1/audit/verify", token: admin)
            #expect(verify.object["intact"] as? Bool == true)
            #expect(verify.object["entries"] as? Int == 5)
        }
    }

    @Test(arguments: [
        (#"{"name": 5, "roles": ["employee"]}"#, "name"),
        (#"{"roles": ["employee"]}"#, "name"),
        (#"{"name": "Al"}"#, "roles"),
        (#"{"name": "Al", "roles": ["boss"]}"#, "role"),
        (#"{"name": "Al", "roles": "employee"}"#, "roles"),
        (#"{"name": "Al", "roles": ["employee"], "pin": "12a4"}"#, "pin"),
        (#"{"name": "Al", "roles": ["employee"], "pin": "123"}"#, "pin"),
        (#"{"name": "Al", "roles": ["employee"], "cards": [""]}"#, "card"),
        (#"{"name": "Al", "roles": ["employee"], "id": "a b"}"#, "id"),
        (#"{"name": "Al", "roles": ["employee"], "nmae": "typo"}"#, "nmae"),
        (#"{"name": "Al", "roles": [7]}"#, "roles[0]"),
        (#"{"name": "Al\u0007", "roles": ["employee"]}"#, "name"),
        ("[1, 2]", "body"),
        ("{not json", "body"),
        ("", "body"),
    ])
    func badUserBodiesAre400NamingTheField(body: String, field: String) async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let response = try await client.call(.post, "/api/v1/users", token: admin, json: body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.object["field"] as? String == field, "\(response.text)")
        }
    }

    @Test(arguments: [
        ("/api/v1/prices", #"{"paper": "A5", "colour": true, "price": 4}"#, "paper"),
        ("/api/v1/prices", #"{"paper": "A4", "colour": "yes", "price": 4}"#, "colour"),
        ("/api/v1/prices", #"{"paper": "A4", "colour": true, "price": 0}"#, "price"),
        ("/api/v1/prices", #"{"paper": "A4", "colour": true, "price": 1.5}"#, "price"),
        ("/api/v1/prices", #"{"paper": "A4", "colour": true, "price": 4, "currency": "eur"}"#, "currency"),
        ("/api/v1/enrollment-tokens", #"{"name": "x", "expires": "forever"}"#, "expires"),
        ("/api/v1/enrollment-tokens", #"{"name": "x", "expires": "90d"}"#, "expires"),
        ("/api/v1/enroll", #"{"token": "abc", "device_id": "d", "public_key": "00", "model": "m", "firmware": "1"}"#, "token"),
        ("/api/v1/enroll", #"{"device_id": "d"}"#, "token"),
        ("/api/v1/users/adam/cards", #"{"number": "has space"}"#, "number"),
    ])
    func otherBadBodiesAre400NamingTheField(path: String, body: String, field: String) async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let response = try await client.call(.post, path, token: admin, json: body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.object["field"] as? String == field, "\(response.text)")
        }
    }

    @Test func badQuotaAndQueryInput() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            for (body, field) in [(#"{"limit": -1, "unit": "pages"}"#, "limit"), (#"{"limit": 5, "unit": "euros"}"#, "unit"),
                                  (#"{"limit": 5, "unit": "pages", "period": "hourly"}"#, "period"), (#"{"limit": 5}"#, "unit")] {
                let response = try await client.call(.put, "/api/v1/users/adam/quota", token: admin, json: body)
                #expect(response.status == .badRequest)
                #expect(response.object["field"] as? String == field, "\(response.text)")
            }
            #expect(try await client.call(.get, "/api/v1/jobs?limit=0", token: admin).object["field"] as? String == "limit")
            #expect(try await client.call(.get, "/api/v1/audit?after=x", token: admin).object["field"] as? String == "after")
            #expect(try await client.call(.get, "/api/v1/users/bad%20id", token: admin).object["field"] as? String == "id")
        }
    }

    @Test func unknownThingsAre404AndTheAuditLogHasNoWriteRoutes() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let missing = try await client.call(.get, "/api/v1/nothing-here", token: admin)
            #expect(missing.status == .notFound)
            #expect(missing.object["error"] != nil)
            #expect(try await client.call(.get, "/api/v1/users/nobody", token: admin).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/users/nobody/disable", token: admin).status == .notFound)
            for method in [HTTPRequest.Method.delete, .put, .post, .patch] {
                let response = try await client.call(method, "/api/v1/audit", token: admin, json: "{}")
                #expect([.notFound, .methodNotAllowed].contains(response.status), "\(method)")
            }
        }
        let router = ServerRoutes.router(server.services)
        #expect(router.routes.filter { $0.path.description.hasPrefix("/api/v1/audit") }.allSatisfy { $0.method == .get })
        #expect(try await server.store.auditEntries(after: 0, limit: 10).count == 2)
    }

    @Test func oversizedBodiesAre413() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            let big = #"{"name": ""# + String(repeating: "x", count: 70_000) + #"", "roles": ["employee"]}"#
            #expect(try await client.call(.post, "/api/v1/users", token: admin, json: big).status == .contentTooLarge)
        }
    }
}
