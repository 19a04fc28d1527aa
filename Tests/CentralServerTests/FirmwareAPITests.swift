import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Protocol
import Testing
@testable import CentralServer

/// SPEC F3 from the server's side through the REST API, in process: image upload (good and bad),
/// rollouts and their per-device state as the agents' reports arrive, the audit trail.
@Suite("Firmware REST API")
struct FirmwareAPITests {
    static let vendor = try! SigningKey(seed: Array(repeating: 42, count: 32))

    static func image(_ model: ResourceType = .copier, version: FirmwareVersion = FirmwareVersion(major: 1, minor: 3, patch: 0),
                      payload: [UInt8] = Array("new controller firmware".utf8), signed: Bool = true) throws -> [UInt8] {
        let image = try FirmwareImage(model: model, version: version, minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
                                      payload: payload, buildTime: Fixture.now)
        return (signed ? image.signed(by: vendor) : image).wireBytes()
    }

    static func upload(_ client: any TestClientProtocol, token: String, _ bytes: [UInt8], type: String = "application/octet-stream") async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/firmware/images", method: .post,
                                 headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: bytes))
    }

    static func devices(_ response: TestResponse) -> [[String: Any]] { response.object["devices"] as? [[String: Any]] ?? [] }

    @Test func aSignedImageIsStoredWithItsManifest() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "root", roles: ["administrator"])
        let bytes = try Self.image()
        try await server.http { client async throws in
            let stored = try await Self.upload(client, token: admin, bytes)
            #expect(stored.status == .created, "\(stored.text)")
            #expect(stored.object["model"] as? String == "copier")
            #expect(stored.object["version"] as? String == "1.3.0")
            #expect(stored.object["minimum_version"] as? String == "1.0.0")
            #expect(stored.object["size"] as? Int == bytes.count)
            #expect(stored.object["sha256"] as? String == Hash32.sha256(bytes).description)
            #expect(stored.object["uploaded_by"] as? String == "user:root")

            let again = try await Self.upload(client, token: admin, bytes)
            #expect(again.status == .conflict)
            #expect(again.text.contains("already stored as firmware image"))

            let list = try await client.call(.get, "/api/v1/firmware/images", token: admin)
            #expect(list.items.count == 1)
        }
        let id = try #require(try await server.store.firmwareImages(limit: 10).first?.id)
        #expect(try await server.store.firmwareImageBytes(id: id) == bytes)
        let audit = try await server.store.auditEntries(after: 0, limit: 100).map(\.record)
        #expect(audit.contains { $0.action == "firmware.upload" && $0.details["version"] == "1.3.0" && $0.details["image_id"] == "\(id)" })
    }

    @Test func badImagesAreRefusedWithTheirReason() async throws {
        let server = try TestServer()
        let admin = try await server.token(for: "root", roles: ["administrator"])
        let employee = try await server.token(for: "eve", roles: ["employee"])
        var bitFlipped = try Self.image()
        bitFlipped[bitFlipped.count - 1] ^= 0xff
        let damaged = bitFlipped
        let good = try Self.image()
        try await server.http { client async throws in
            let cases: [(String, [UInt8], String)] = [
                ("unsigned", try Self.image(signed: false), "not signed"),
                ("not an image", Array("%PDF-1.4 hello".utf8), "not a valid firmware image"),
                ("truncated", Array(good.dropLast(5)), "not a valid firmware image"),
                ("damaged payload", damaged, "SHA-256"),
                ("empty", [], "empty"),
            ]
            for (name, bytes, reason) in cases {
                let refused = try await Self.upload(client, token: admin, bytes)
                #expect(refused.status == .badRequest, "\(name): \(refused.text)")
                #expect(refused.object["field"] as? String == "image", "\(name)")
                #expect(refused.text.contains(reason), "\(name): \(refused.text)")
            }
            let wrongType = try await Self.upload(client, token: admin, good, type: "application/json")
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.text.contains("application/octet-stream"))
            let notAdmin = try await Self.upload(client, token: employee, good)
            #expect(notAdmin.status == .forbidden)
        }
        #expect(try await server.store.firmwareImages(limit: 10).isEmpty)
    }

    @Test func aRolloutFollowsEachDevicesReportsToConfirmed() async throws {
        let server = try TestServer()
        _ = try await server.enroll("agent-1")
        _ = try await server.enroll("agent-2", key: try SigningKey(seed: Array(repeating: 8, count: 32)), resources: [("copier-2", "copier"), ("seal-2", "seal")])
        let admin = try await server.token(for: "root", roles: ["administrator"])
        let auditor = try await server.token(for: "audrey", roles: ["auditor"])
        let bytes = try Self.image()
        try await server.http { client async throws in
            let image = try #require(try await Self.upload(client, token: admin, bytes).object["id"] as? Int)
            let started = try await client.call(.post, "/api/v1/firmware/rollouts", token: admin, json: #"{"image": \#(image), "devices": ["agent-1", "agent-2"]}"#)
            #expect(started.status == .created, "\(started.text)")
            let rollout = try #require(started.object["id"] as? Int)
            // Neither agent is connected: both wait, shown offline.
            #expect(Self.devices(started).map { $0["state"] as? String } == ["offline", "offline"])
            #expect(Self.devices(started).map { $0["step"] as? String } == ["queued", "queued"])
            #expect(started.object["finished"] as? Bool == false)

            // agent-1 reports its way to confirmed, agent-2 refuses the image.
            let first = try #require(Self.devices(started)[0]["transfer"] as? Int)
            let second = try #require(Self.devices(started)[1]["transfer"] as? Int)
            let delivery = server.services.firmware.delivery
            let size = UInt64(bytes.count)
            for (state, message) in [(UplinkMessage.FirmwareState.receiving, ""), (.verifying, "checking"), (.installed, "slot B"),
                                     (.trial, "booted on trial"), (.confirmed, "the device runs 1.3.0")] {
                try await delivery.status(try UplinkMessage.FirmwareStatus(imageID: UInt64(first), state: state, bytesReceived: state == .receiving ? 0 : size,
                                                                            message: message), from: try DeviceID("agent-1"))
            }
            try await delivery.status(try UplinkMessage.FirmwareStatus(imageID: UInt64(second), state: .failed, bytesReceived: size,
                                                                        message: "refused by the device (unknown-vendor-key): signed by vendor key 0011"),
                                      from: try DeviceID("agent-2"))
            // A report for another device's transfer is not taken.
            try await delivery.status(try UplinkMessage.FirmwareStatus(imageID: UInt64(second), state: .confirmed, bytesReceived: size, message: ""),
                                      from: try DeviceID("agent-1"))

            let detail = try await client.call(.get, "/api/v1/firmware/rollouts/\(rollout)", token: auditor)
            #expect(detail.status == .ok, "\(detail.text)")
            let devices = Self.devices(detail)
            #expect(devices.map { $0["state"] as? String } == ["confirmed", "failed"])
            #expect((devices[1]["message"] as? String)?.contains("unknown-vendor-key") == true)
            #expect(devices[0]["bytes_received"] as? Int == bytes.count)
            let reports = (devices[0]["reports"] as? [[String: Any]] ?? []).map { $0["state"] as? String }
            #expect(reports == ["receiving", "verifying", "installed", "trial", "confirmed"])
            #expect(detail.object["finished"] as? Bool == true)
            #expect((detail.object["summary"] as? [String: Int]) == ["confirmed": 1, "failed": 1])

            let list = try await client.call(.get, "/api/v1/firmware/rollouts", token: admin)
            #expect(list.items.count == 1)
            #expect((list.items.first?["devices"] as? [[String: Any]])?.first?["reports"] == nil)
        }
        #expect(try await server.store.device(id: try DeviceID("agent-1"))?.firmware == "1.3.0")
        #expect(try await server.store.device(id: try DeviceID("agent-2"))?.firmware == "1.0.0")
        let actions = try await server.store.auditEntries(after: 0, limit: 100).map(\.record.action)
        #expect(actions.filter { $0.hasPrefix("firmware.") } == [
            "firmware.upload", "firmware.rollout", "firmware.sending", "firmware.verifying", "firmware.installed", "firmware.trial", "firmware.confirmed",
            "firmware.failed",
        ])
    }

    @Test func rolloutsAreCheckedBeforeAnythingIsStored() async throws {
        let server = try TestServer()
        _ = try await server.enroll("agent-1")
        let admin = try await server.token(for: "root", roles: ["administrator"])
        let auditor = try await server.token(for: "audrey", roles: ["auditor"])
        try await server.http { client async throws in
            let image = try #require(try await Self.upload(client, token: admin, try Self.image()).object["id"] as? Int)
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"image": 99, "devices": ["agent-1"]}"#, .notFound, "firmware image 99"),
                (#"{"image": \#(image), "devices": []}"#, .badRequest, "1 to 1000 devices"),
                (#"{"image": \#(image), "devices": ["agent-9"]}"#, .notFound, "no enrolled device agent-9"),
                (#"{"image": \#(image), "devices": ["agent-1", "agent-1"]}"#, .badRequest, "named twice"),
                (#"{"image": \#(image), "devices": ["bad id!"]}"#, .badRequest, "bad id!"),
                (#"{"image": 0, "devices": ["agent-1"]}"#, .badRequest, "image"),
                (#"{"devices": ["agent-1"]}"#, .badRequest, "image"),
            ]
            for (body, status, reason) in cases {
                let refused = try await client.call(.post, "/api/v1/firmware/rollouts", token: admin, json: body)
                #expect(refused.status == status, "\(body): \(refused.text)")
                #expect(refused.text.contains(reason), "\(body): \(refused.text)")
            }
            let notAdmin = try await client.call(.post, "/api/v1/firmware/rollouts", token: auditor, json: #"{"image": \#(image), "devices": ["agent-1"]}"#)
            #expect(notAdmin.status == .forbidden)
            let missing = try await client.call(.get, "/api/v1/firmware/rollouts/5", token: auditor)
            #expect(missing.status == .notFound)
            let badID = try await client.call(.get, "/api/v1/firmware/rollouts/x", token: auditor)
            #expect(badID.status == .badRequest)
        }
        #expect(try await server.store.firmwareRollouts(limit: 10).isEmpty)
    }
}
