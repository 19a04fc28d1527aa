import Foundation
import Glibc
import Testing
import TestSupport

/// The seal end to end, real processes only: an application made and approved over the REST
/// API, a tap at the seal's box, stamps on the simulated USB seal, the uses counted by the server.
/// The agent runs under `umockdev-wrapper` (it sees the seal's testbed); like the seal's USB
/// suite, scripts/test.sh runs this one in its second pass, under umockdev-wrapper.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains("umockdev") ?? false,
                             "runs with the seal's USB tests under umockdev-wrapper (scripts/test.sh)"))
struct SealSystemTests {
    @Test func three_approved_uses_three_stamps_the_fourth_refused_and_the_server_counts_them() async throws {
        let box = try SealBoxHarness()
        defer { box.stopAll() }
        try await box.start()
        #expect(try box.sealLocked(), "the seal powers on locked")
        #expect(try box.panel("stamp")["stamped"] as? Bool == false, "no stamp before a tap")

        let id = try await box.approvedApplication(uses: 3)
        let tap = try box.tap(id)
        #expect(tap.status == 0 && tap.answer["unlocked"] as? Bool == true, "\(tap.answer)")
        #expect(tap.answer["uses"] as? Int == 3)
        #expect(!(try box.sealLocked()))
        let open = try box.agentStatus()
        #expect(open["phase"] as? String == "open" && open["usesLeft"] as? Int == 3 && open["application"] as? String == id, "\(open)")

        for _ in 0..<3 { #expect(try box.panel("stamp")["stamped"] as? Bool == true) }
        #expect(try box.panel("stamp")["stamped"] as? Bool == false, "the 4th press is refused")
        #expect(try box.sealLocked())
        #expect(try box.panel("status")["refused_presses"] as? Int == 2)
        try await eventually("the agent's session closed") { try box.agentStatus()["phase"] as? String == "locked" }

        try await eventually("the server counted 3 uses", timeout: .seconds(20)) {
            try await box.application(id)["uses_made"] as? Int == 3
        }
        let application = try await box.application(id)
        #expect(application["uses_remaining"] as? Int == 0)
        let records = try #require(application["records"] as? [[String: Any]])
        #expect(records.compactMap { $0["use_number"] as? Int } == [1, 2, 3])
        #expect(records.compactMap { $0["uses_remaining"] as? Int } == [2, 1, 0])
        #expect(records.allSatisfy { $0["place"] as? String == SealBoxHarness.place && $0["flagged"] == nil && ($0["photos"] as? [String])?.count == 1 },
                "\(records)")

        // The application is spent: another tap is refused by the server and the seal stays locked.
        let again = try box.tap(id)
        #expect(again.answer["unlocked"] as? Bool == false, "\(again.answer)")
        #expect(try box.sealLocked())
    }

    @Test func a_revocation_locks_at_once_and_a_killed_agent_leaves_the_seal_locked_by_its_watchdog() async throws {
        let box = try SealBoxHarness()
        defer { box.stopAll() }
        try await box.start()

        // Revocation by Arthur mid-session: pushed over the uplink, the agent locks the seal.
        let revoked = try await box.approvedApplication(uses: 3)
        #expect(try box.tap(revoked).answer["unlocked"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        let answer = try await box.system.api("/api/v1/seal-applications/\(revoked)/revoke", token: box.arthurToken, method: "POST", body: ["note": "stop"])
        #expect(answer["status"] as? String == "revoked", "\(answer)")
        // "At once": the push and the lock frame take milliseconds; 5 s is slack for a loaded machine.
        try await eventually("the seal locks after the revocation", timeout: .seconds(5)) { try box.sealLocked() }
        #expect(try box.panel("status")["last_lock"] as? String == "lock command", "locked by the agent's lock frame, not its watchdog")
        #expect(try box.panel("stamp")["stamped"] as? Bool == false)
        try await eventually("the server counted the one use") { try await box.application(revoked)["uses_made"] as? Int == 1 }
        #expect(try box.tap(revoked).answer["unlocked"] as? Bool == false, "a revoked application opens nothing")

        // The agent killed mid-session: its heartbeats stop, the seal's own watchdog locks it.
        let second = try await box.approvedApplication(uses: 3)
        #expect(try box.tap(second).answer["unlocked"] as? Bool == true)
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        try await Task.sleep(for: .seconds(4))  // past one watchdog period (3 s): heartbeats keep it open
        #expect(!(try box.sealLocked()), "heartbeats keep the seal open")
        let agent = try #require(box.agent)
        agent.send(SIGKILL)
        #expect(try agent.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
        box.agent = nil
        try await eventually("the seal's watchdog locks it", timeout: .seconds(15)) { try box.sealLocked() }
        #expect(try box.panel("status")["last_lock"] as? String == "watchdog")
        #expect(try box.panel("stamp")["stamped"] as? Bool == false)
    }
}
