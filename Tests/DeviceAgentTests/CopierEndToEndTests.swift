import Foundation
import Protocol
import Testing
import TestSupport
@testable import DeviceAgent

/// The agent in this process against the real simulated copier process, over Modbus TCP on
/// loopback and over RTU on a pty pair: taps, grants, jobs, budgets, faults, offline, restarts.
@Suite("Copier path, end to end", .serialized)
struct CopierEndToEndTests {
    static let alice = try! Credential.card("0042", pin: "1234")
    static let bob = try! Credential.card("0043")

    func tapLogJobAndLogout(_ harness: CopierHarness) async throws {
        let tap = await harness.agent.tap(Self.alice)
        #expect(tap.unlocked, "\(tap.message)")
        // The grant allows 50; alice's limit grant leaves 20 (docs/quotas.md: online or offline
        // the budget comes from the limit grant and the usage counted since its issue).
        #expect(tap.pageBudget == 20)
        #expect(try harness.copier.relayIsOn())

        let outcome = try harness.copier.job(copies: 2, pages: 3, colour: true, duplex: true, paper: "A3")
        #expect(outcome["pages_printed"] as? Int == 6)
        try await waitUntil("the job is logged") { try harness.copyJobs().count == 1 }
        let job = try #require(try harness.copyJobs().first)
        #expect(job.pages == 6 && job.copies == 2 && job.colourPages == 6 && job.monoPages == 0)
        #expect(job.duplex && job.paperSize == .a3 && job.end == .completed)
        #expect(job.userID.value == "alice")

        try await waitUntil("all six scans are stored") {
            try harness.events().filter { if case .content = $0.body { return true } else { return false } }.count == 6
        }
        try await waitUntil("the unlock photo is stored") {
            try harness.events().contains { if case .photo = $0.body { return true } else { return false } }
        }

        let message = await harness.agent.logout()
        #expect(message == "Logged out.", "closes so far: \((try? harness.sessionCloses()) ?? [])")
        #expect(try !harness.copier.relayIsOn())
        #expect(try harness.sessionCloses() == [.logout])
        let chain = EventChain.verify(try harness.events(), device: CopierHarness.device)
        guard case .ok = chain else { Issue.record("chain: \(chain)"); return }
    }

    @Test func tapJobLogoutOverTCP() async throws {
        let harness = try await CopierHarness()
        // Stopped before the next test starts, also on failure (a stop left to a Task would run
        // alongside the next test: its agent writing to a copier that has gone).
        do { try await tapLogJobAndLogout(harness) } catch { await harness.stop(); throw error }
        await harness.stop()
    }

    @Test func tapJobLogoutOverRTU() async throws {
        let bridge = try PtyBridge()
        defer { bridge.stop() }
        let harness = try await CopierHarness(rtu: bridge)
        // The relay check goes over TCP in tapLogJobAndLogout; on RTU read it through the agent's status instead.
        let tap = await harness.agent.tap(Self.alice)
        #expect(tap.unlocked, "\(tap.message)")
        let outcome = try harness.copier.job(copies: 1, pages: 4, paper: "B4")
        #expect(outcome["pages_printed"] as? Int == 4)
        try await waitUntil("the job is logged over RTU") { try harness.copyJobs().count == 1 }
        let job = try #require(try harness.copyJobs().first)
        #expect(job.pages == 4 && job.monoPages == 4 && job.paperSize == .b4 && !job.duplex)
        _ = await harness.agent.logout()
        #expect(try harness.sessionCloses() == [.logout])
        await harness.stop()
    }

    @Test func aBudgetOfFiveStopsATenPageJobAtFive() async throws {
        let harness = try await CopierHarness()
        let tap = await harness.agent.tap(Self.bob)  // bob's grants allow 5 pages
        #expect(tap.unlocked && tap.pageBudget == 5, "\(tap.message)")
        let outcome = try harness.copier.job(copies: 1, pages: 10)
        #expect(outcome["pages_printed"] as? Int == 5)
        #expect(outcome["stopped"] as? String == "budget")
        try await waitUntil("the session closes as budget spent") { try harness.sessionCloses() == [.budgetSpent] }
        #expect(try harness.copyJobs().map(\.pages) == [5])
        #expect(try !harness.copier.relayIsOn())
        await harness.stop()
    }

    @Test func refusalsKeepTheCopierLocked() async throws {
        let harness = try await CopierHarness()
        let unknown = await harness.agent.tap(try .card("9999"))
        #expect(!unknown.unlocked && unknown.message == "Unknown card.")
        let wrongPIN = await harness.agent.tap(try .card("0042", pin: "0000"))
        #expect(!wrongPIN.unlocked && wrongPIN.message == "Wrong PIN.")
        #expect(throws: WireError.self) { try Credential.card("00 42") }  // refused before anything is sent
        #expect(try !harness.copier.relayIsOn())
        let outcome = try harness.copier.job(copies: 1, pages: 2)
        #expect(outcome["stopped"] as? String == "locked" && outcome["pages_printed"] as? Int == 0)
        await harness.stop()
    }

    @Test func offlineTapsAreDecidedFromTheCachedLimitGrant() async throws {
        let harness = try await CopierHarness()
        // Online once: the agent caches alice's card and her limit grant (20 pages available).
        #expect(await harness.agent.tap(Self.alice).unlocked)
        _ = try harness.copier.job(copies: 1, pages: 3)
        try await waitUntil("the online job is logged") { try harness.copyJobs().count == 1 }
        _ = await harness.agent.logout()

        harness.authority.reachable = false
        let offline = await harness.agent.tap(Self.alice)
        #expect(offline.unlocked && offline.offline, "\(offline.message)")
        #expect(offline.pageBudget == 17)  // 20 available, 3 used since issue
        let outcome = try harness.copier.job(copies: 2, pages: 10)  // 20 pages asked, 17 allowed
        #expect(outcome["pages_printed"] as? Int == 17)
        try await waitUntil("the offline session closes at its limit") { try harness.sessionCloses() == [.logout, .budgetSpent] }

        let spent = await harness.agent.tap(Self.alice)
        #expect(!spent.unlocked, "the limit is spent: \(spent.message)")
        let wrongPIN = await harness.agent.tap(try .card("0042", pin: "9999"))
        #expect(!wrongPIN.unlocked && wrongPIN.message == "Wrong PIN.")
        let stranger = await harness.agent.tap(Self.bob)
        #expect(!stranger.unlocked)  // bob never tapped here online
        #expect(try harness.copyJobs().map(\.pages).reduce(0, +) == 20)
        await harness.stop()
    }

    @Test func modbusFaultsNeverLeaveTheCopierOpenAndTheAgentRecovers() async throws {
        let harness = try await CopierHarness(watchdogMilliseconds: 600)
        #expect(await harness.agent.tap(Self.alice).unlocked)
        // A slow copier is still served.
        try harness.copier.fault(["--delay-ms", "50"])
        try await Task.sleep(for: .milliseconds(400))
        #expect(await harness.agent.phase != .locked)
        // Silence: heartbeats stop arriving, the copier's watchdog locks it, the agent closes the session.
        try harness.copier.fault(["--silence"])
        try await waitUntil("the agent gives the session up", timeout: .seconds(5)) { await harness.agent.phase == .locked }
        try harness.copier.fault(["--clear"])
        #expect(try !harness.copier.relayIsOn())
        try await waitUntil("the session is recorded as closed by a fault") { try harness.sessionCloses() == [.fault] }
        // Exceptions and drops: an unlock that fails leaves the copier locked.
        try harness.copier.fault(["--exception", "4"])
        let refused = await harness.agent.tap(Self.alice)
        try harness.copier.fault(["--clear"])
        let relayOn = try harness.copier.relayIsOn()
        #expect(!relayOn, "\(refused.message)")
        try await waitUntil("the agent is locked again") { await harness.agent.phase == .locked }
        try harness.copier.fault(["--drop"])
        try await Task.sleep(for: .milliseconds(300))
        try harness.copier.fault(["--clear"])
        try await waitUntil("the agent is locked again") { await harness.agent.phase == .locked }
        // Recovered: a new tap unlocks and a job is logged.
        let again = await harness.agent.tap(Self.alice)
        #expect(again.unlocked, "\(again.message)")
        _ = try harness.copier.job(copies: 1, pages: 2)
        try await waitUntil("the job after recovery is logged") { try harness.copyJobs().count == 1 }
        _ = await harness.agent.logout()
        #expect(try !harness.copier.relayIsOn())
        await harness.stop()
    }

    /// Heartbeats must not wait for a free thread of the cooperative pool (one per core): in a
    /// full test run, blocking work in other suites held the pool, the in-process agent's
    /// heartbeats stopped, and the copier's watchdog locked sessions in use.
    @Test func heartbeatsFlowWhileTheCooperativePoolIsBlocked() async throws {
        let harness = try await CopierHarness(watchdogMilliseconds: 1000)
        #expect(await harness.agent.tap(Self.alice).unlocked)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
                group.addTask { usleep(2_500_000) }  // blocks a pool thread on purpose
            }
        }
        #expect(try harness.copier.relayIsOn(), "the copier's watchdog locked it while the pool was blocked")
        #expect(await harness.agent.phase != .locked)
        #expect(await harness.agent.logout() == "Logged out.")
        #expect(try !harness.copier.relayIsOn())
        await harness.stop()
    }

    @Test func aRestartLosesAndDuplicatesNothing() async throws {
        let directory = try TemporaryDirectory("copier-restart")
        var harness: CopierHarness? = try await CopierHarness(directory: directory)
        #expect(await harness!.agent.tap(Self.alice).unlocked)
        _ = try harness!.copier.job(copies: 1, pages: 2)
        try await waitUntil("job 1 logged") { try harness!.copyJobs().count == 1 }
        _ = await harness!.agent.logout()
        let before = try harness!.events()
        try harness!.store.acknowledge(upTo: 3)  // the server had acknowledged part of it
        await harness!.stop()
        harness = nil

        // The same store and copier state, a new agent.
        let again = try await CopierHarness(directory: directory)
        let after = try again.events()
        #expect(Array(after.prefix(before.count)) == before)
        #expect(try again.store.acknowledgedSequence() == 3)
        #expect(try again.store.unacknowledged(limit: 1000).first?.sequence == 4)
        #expect(try again.copyJobs().count == 1, "a job is not logged twice across a restart")
        #expect(await again.agent.tap(Self.alice).unlocked)
        _ = try again.copier.job(copies: 1, pages: 1)
        try await waitUntil("job 2 logged") { try again.copyJobs().count == 2 }
        _ = await again.agent.logout()
        guard case .ok = EventChain.verify(try again.events(), device: CopierHarness.device) else {
            Issue.record("the chain does not verify after the restart")
            return
        }
        await again.stop()
    }
}
