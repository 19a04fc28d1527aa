import Foundation
import Glibc
import Testing
import TestSupport

/// Issue 13, the seal the same as the copier: the agent killed (SIGKILL) mid seal session.
/// Stamps made around the kill — reported but not yet stored, or made while no agent listened —
/// are recorded once each under the session's user when the agent is back (the seal sends a
/// report again until the agent acks it, and the agent acks only what it stored), and the
/// approved count is never exceeded. Before, the restarted agent dropped them as "outside this
/// session" and the server counted fewer uses than the seal made.
extension SealSystemTests {
    @Test func stamps_around_an_agent_kill_are_recorded_once_and_the_approved_count_holds() async throws {
        let box = try SealBoxHarness()
        defer { box.stopAll() }
        try await box.start()
        let id = try await box.approvedApplication(uses: 5)
        #expect(try box.tap(id).answer["unlocked"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)

        // Killed; two more stamps before the seal's watchdog (3 s) locks it.
        let agent = try #require(box.agent)
        agent.send(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(10))
        box.agent = nil
        let killed = ContinuousClock.now
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        try await eventually("the seal's watchdog locks it", timeout: .seconds(10)) { try box.sealLocked() }
        let relock = ContinuousClock.now - killed
        #expect(relock < .milliseconds(3_000 + 1_000), "locked \(relock) after the kill, watchdog 3 s")
        #expect(try box.panel("status")["last_lock"] as? String == "watchdog")

        try box.startAgent()
        try await eventually("the server counted the 3 uses the seal made", timeout: .seconds(20)) {
            try await box.application(id)["uses_made"] as? Int == 3
        }
        let records = try #require(try await box.application(id)["records"] as? [[String: Any]])
        #expect(records.compactMap { $0["use_number"] as? Int } == [1, 2, 3], "each once: \(records)")
        #expect(records.allSatisfy { $0["flagged"] == nil }, "\(records)")

        // Two uses are left: a new tap opens for two, the third press is refused.
        let again = try box.tap(id)
        #expect(again.answer["unlocked"] as? Bool == true && again.answer["uses"] as? Int == 2, "\(again.answer)")
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == false)
        try await eventually("the server counted all 5", timeout: .seconds(20)) { try await box.application(id)["uses_made"] as? Int == 5 }
        try await Task.sleep(for: .seconds(1))
        #expect(try await box.application(id)["uses_made"] as? Int == 5, "never more than approved")
    }
}
