import Foundation
import GRDB
import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 9: resource ids (a copier's or a seal's id) were unique per device only
/// (`device_resources` is keyed by device and resource), yet seal applications, seal grants and
/// seal reports name a seal by its id alone. A second device enrolled with another device's
/// seal id got grants under the applications approved for that seal. Enrolment now refuses a
/// resource id another device has (409, the token left unused), so an id names one resource.
@Suite("Enrolment: resource ids are unique on the server")
struct ResourceIDUniqueTests {
    static let otherKey = try! SigningKey(seed: Array(repeating: 8, count: 32))

    static func request(_ token: String, device: String, resources: [(id: String, type: String)]) -> EnrollmentService.Request {
        EnrollmentService.Request(token: token, deviceID: device, publicKey: Hex.encode(otherKey.publicKey.bytes), model: "sim", firmware: "1.0.0",
                                  resources: resources)
    }

    @Test func aSecondDeviceWithAnotherDevicesSealIdIsRefusedAndGetsNoGrantForItsApplications() async throws {
        let world = try await SealServiceTests.World.make()  // agent-1 with copier-1 and seal-1
        let application = try await world.approvedApplication()
        let (token, _) = try await world.server.admin.createEnrollmentToken(name: "Rogue box", lifetime: 3_600_000, by: TestServer.actor)
        do {
            _ = try await world.server.services.enrollment.enroll(Self.request(token, device: "agent-2", resources: [("copier-2", "copier"), ("seal-1", "seal")]), source: "test")
            Issue.record("agent-2 was enrolled with agent-1's seal-1")
        } catch {
            #expect("\(error)" == "resource seal-1 is already enrolled on device agent-1; a copier's or seal's id must be unique on this server")
        }
        #expect(try await world.server.store.device(id: Fixture.deviceID("agent-2")) == nil, "nothing of the refused enrolment is stored")
        // The seal's own device still gets its grant; the other box none.
        let stolen = await world.server.services.grants.requestGrant(
            device: Fixture.deviceID("agent-2"), credential: .card(Fixture.card("card-alice"), pin: Fixture.pin("1234")),
            resource: Fixture.resourceID("seal-1"), resourceType: .seal, applicationID: application.id, now: world.server.clock.now())
        guard case .refused = stolen else { Issue.record("agent-2 got a grant for agent-1's seal-1: \(stolen)"); return }
        guard case .granted = await world.requestGrant(application.id) else { Issue.record("agent-1 was refused its own seal"); return }

        // The token was not used up: the box enrols with ids of its own.
        let enrolled = try await world.server.services.enrollment.enroll(Self.request(token, device: "agent-2", resources: [("copier-2", "copier"), ("seal-2", "seal")]), source: "test")
        #expect(enrolled.device.resources.map(\.id.value) == ["copier-2", "seal-2"])
    }

    /// Devices enrolled before the check may already share a seal id: an application for it
    /// (good at each of them) is refused until all but one are disabled.
    @Test func aSealIdTwoDevicesAlreadyShareTakesNoApplication() async throws {
        let world = try await SealServiceTests.World.make()
        try await world.server.enroll("agent-2", key: Self.otherKey, resources: [("copier-2", "copier"), ("seal-2", "seal")])
        let store = try #require(world.server.store as? SQLiteServerStore)
        try await store.pool.write { db in try db.execute(sql: "UPDATE device_resources SET resource_id = 'seal-1' WHERE device_id = 'agent-2' AND resource_id = 'seal-2'") }
        let new = SealService.NewApplication(seal: "seal-1", reason: "Contract with ACME", uses: 1, photos: 0, approvers: ["arthur"], cc: [])
        await #expect(throws: SealWorkflowError.input(InputError(field: "seal", "seal \"seal-1\" is enrolled on more than one device (agent-1, agent-2); an administrator must disable all but one"))) {
            try await world.seals.apply(new, by: world.alice, from: SealServiceTests.World.source)
        }
        try await world.server.admin.setDeviceState("agent-2", state: .disabled, by: TestServer.actor)
        #expect(try await world.seals.apply(new, by: world.alice, from: SealServiceTests.World.source).seal.value == "seal-1")
    }

    @Test func aCopierIdThatIsAnotherDevicesDefaultIsRefusedOverRESTWith409() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        try await server.http { client async throws in
            var tokens: [String] = []
            for name in ["Lobby copier", "Second copier"] {
                let response = try await client.call(.post, "/api/v1/enrollment-tokens", token: admin, json: #"{"name": "\#(name)", "expires": "2h"}"#)
                tokens.append(try #require(response.object["token"] as? String))
            }
            let key = Hex.encode(Fixture.deviceKey.publicKey.bytes)
            // Without resources, lobby-1 gets one copier whose id is its device id.
            let first = try await client.call(.post, "/api/v1/enroll", json: #"{"token": "\#(tokens[0])", "device_id": "lobby-1", "public_key": "\#(key)", "model": "sim", "firmware": "1.0.0"}"#)
            #expect(first.status == .created, "\(first.text)")
            let second = try await client.call(.post, "/api/v1/enroll", json: #"{"token": "\#(tokens[1])", "device_id": "lobby-2", "public_key": "\#(key)", "model": "sim", "firmware": "1.0.0", "resources": [{"id": "lobby-1", "type": "copier"}]}"#)
            #expect(second.status == .conflict, "\(second.text)")
            #expect(second.object["field"] as? String == "resources")
            #expect((second.object["error"] as? String)?.contains("resource lobby-1 is already enrolled on device lobby-1") == true, "\(second.text)")
        }
        #expect(try await server.store.device(id: Fixture.deviceID("lobby-2")) == nil)
    }
}
