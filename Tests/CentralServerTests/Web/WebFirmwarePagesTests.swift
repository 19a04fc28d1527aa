import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// The firmware pages on the real routes: an administrator sees the uploaded image, starts a
/// rollout from the form (audited under their name), follows each device's reports; a form
/// without a device or naming an unknown image comes back saying so; an employee is refused.
@Suite("Web pages: firmware rollouts")
struct WebFirmwarePagesTests {
    @Test func anAdministratorStartsARolloutAndFollowsIt() async throws {
        let server = try await WebPagesTests.server()
        _ = try await server.enroll("agent-1")
        let image = try await server.services.firmware.upload(try FirmwareAPITests.image(), by: TestServer.actor)
        try await server.http { client in
            let ada = PageSession(client)
            #expect(try await ada.login("ada", "ada-password").status == .seeOther)
            let page = String(buffer: try await ada.get("/web/admin/firmware").body)
            #expect(page.contains("1.3.0") && page.contains("value=\"agent-1\""))
            #expect(page.contains("None uploaded yet") == false)

            // Nothing chosen, and an unknown image: said, not started.
            let none = try await ada.post("/web/admin/firmware/rollouts", [("image", "\(image.id)")])
            let back = try #require(none.headers[.location])
            #expect(back == "/web/admin/firmware", "the notice travels in its cookie, not the query string")
            #expect(String(buffer: try await ada.get(back).body).contains("choose at least one device"))
            let wrong = try await ada.post("/web/admin/firmware/rollouts", [("image", "999"), ("device", "agent-1")])
            #expect(String(buffer: try await ada.get(try #require(wrong.headers[.location])).body).contains("firmware image 999 not found"))
            #expect(try await server.store.firmwareRollouts(limit: 10).isEmpty)

            let started = try await ada.post("/web/admin/firmware/rollouts", [("image", "\(image.id)"), ("device", "agent-1")])
            let location = try #require(started.headers[.location])
            #expect(location.hasPrefix("/web/admin/firmware/rollouts/"))
            let rollout = try #require(try await server.store.firmwareRollouts(limit: 10).first)
            let target = try #require(rollout.targets.first)
            try await server.services.firmware.delivery.status(
                try UplinkMessage.FirmwareStatus(imageID: target.id, state: .failed, bytesReceived: target.imageSize,
                                                 message: "refused by the device (older-version): 1.3.0 is not newer"),
                from: try DeviceID("agent-1"))
            let detail = String(buffer: try await ada.get("/web/admin/firmware/rollouts/\(rollout.id)").body)
            #expect(detail.contains("1 failed") && detail.contains("finished"))
            #expect(detail.contains("older-version"))
            let csv = try await ada.get("/web/admin/firmware/rollouts/\(rollout.id)?format=csv")
            #expect(String(buffer: csv.body).contains("agent-1,failed"))
            #expect(try await ada.get("/web/admin/firmware/rollouts/999").status == .notFound)

            let alice = PageSession(client)
            _ = try await alice.login("alice", "alice-password")
            #expect(try await alice.get("/web/admin/firmware").status == .forbidden)
            #expect(try await alice.post("/web/admin/firmware/rollouts", [("image", "\(image.id)"), ("device", "agent-1")]).status == .forbidden)
        }
        let rollouts = try await server.store.auditEntries(after: 0, limit: 200).map(\.record).filter { $0.action == "firmware.rollout" }
        #expect(rollouts.count == 1 && rollouts.first?.actor == "user:ada")
    }
}
