import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 7: the dashboard read the newest 500 security events and kept the chain,
/// signature and checkpoint alerts among them, so 500 later events of any other kind (a flood
/// of unsigned webhook posts, say) hid an alert from everyone.
@Suite("Web: integrity alerts stay on the dashboard")
struct WebDashboardAlertTests {
    @Test func anAlertStaysInViewUnderAFloodOfOtherEvents() async throws {
        let server = try await WebPagesTests.server()
        try await server.store.recordSecurityEvent(SecurityEvent(
            at: server.clock.now(), kind: "event chain refused", deviceID: try DeviceID("copier-1"), detail: "event 41 does not link to event 40"
        ))
        // Recorded straight to the store, as if from many sources: more than the old window.
        for index in 0..<600 {
            try await server.store.recordSecurityEvent(SecurityEvent(at: server.clock.now(), kind: "payment.webhook.refused", detail: "401 from 10.1.\(index / 250).\(index % 250): unsigned"))
        }
        try await server.http { client in
            let browser = PageSession(client)
            #expect(try await browser.login("ada", "ada-password").status == .seeOther)
            let page = String(buffer: try await browser.get("/web").body)
            #expect(page.contains("event 41 does not link to event 40"), "the alert is on the dashboard")
            #expect(!page.contains("401 from 10.1."), "other events are not alerts")
        }
    }
}
