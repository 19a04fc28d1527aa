import CentralServer
import Foundation
import Glibc
import Protocol
import Testing
import TestSupport

/// Issue 4's end-to-end tests: enrol, tap, grant, unlock, a job, logout; the server shows the job
/// with its charge and the chain verifies. Then offline, and back.
@Suite("Whole system: copy jobs", .serialized)
struct CopyJobSystemTests {
    func jobs(_ system: SystemHarness) async throws -> [[String: Any]] {
        try #require(try await system.api("/api/v1/jobs")["items"] as? [[String: Any]])
    }

    func charges(_ system: SystemHarness) async throws -> [[String: Any]] {
        try #require(try await system.api("/api/v1/charges")["items"] as? [[String: Any]])
    }

    @Test func enrolTapCopyLogoutThenOfflineAndBack() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        try system.startCopier()
        try system.enrollAndStartAgent()
        try await eventually("the agent is connected and knows the server's keys") {
            (try system.agentCLI(["status"])["status"] as? [String: Any])?["phase"] as? String == "locked"
        }

        // Online: a 2-copy, 3-page colour job.
        var tap: [String: Any] = [:]
        try await eventually("an online tap unlocks") {
            tap = try system.agentCLI(["tap", "--card", "0042", "--pin", "1234"])
            return tap["unlocked"] as? Bool == true
        }
        #expect(tap["offline"] as? Bool == false, "\(tap)")
        let outcome = try system.job(copies: 2, pages: 3, colour: true)
        #expect(outcome["pages_printed"] as? Int == 6)
        #expect(try system.agentCLI(["logout"])["ok"] as? Bool == true)

        try await eventually("the server shows the job and its charge") {
            let (jobCount, chargeCount) = (try await jobs(system).count, try await charges(system).count)
            return jobCount == 1 && chargeCount == 1
        }
        let job = try #require(try await jobs(system).first)
        #expect(job["pages"] as? Int == 6 && job["copies"] as? Int == 2 && job["user"] as? String == "alice", "\(job)")
        let charge = try #require(try await charges(system).first)
        #expect(charge["amount"] as? Int == 120, "6 colour A4 pages at 20: \(charge)")  // 6 × 20

        // Offline: the server goes away; alice copies within her limit grant and is stopped at it.
        try system.stopServer()
        let offline = try system.agentCLI(["tap", "--card", "0042", "--pin", "1234"])
        #expect(offline["unlocked"] as? Bool == true && offline["offline"] as? Bool == true, "\(offline)")
        let budget = try #require(offline["pageBudget"] as? Int, "\(offline)")
        #expect(budget == 24, "30-page quota, 6 used")
        let offlineJob = try system.job(copies: 1, pages: 30, colour: false)
        #expect(offlineJob["pages_printed"] as? Int == 24)
        #expect(offlineJob["stopped"] as? String == "budget")

        // Back online: every event arrives exactly once and the charges are right.
        try system.startServer()
        try await eventually("the offline job reaches the server", timeout: .seconds(30)) { try await jobs(system).count == 2 }
        try await Task.sleep(for: .seconds(1))
        let all = try await jobs(system)
        #expect(all.count == 2)
        #expect(all.compactMap { $0["pages"] as? Int }.sorted() == [6, 24])
        #expect(try await charges(system).compactMap { $0["amount"] as? Int }.sorted() == [120, 120])  // 24 mono × 5
        let status = try #require(try system.agentCLI(["status"])["status"] as? [String: Any])
        try await eventually("everything is acknowledged") {
            let now = try #require(try system.agentCLI(["status"])["status"] as? [String: Any])
            return now["acknowledged"] as? Int == now["events"] as? Int
        }
        _ = status

        // Every photo and scanned page reaches the server whole (SPEC A3, A5, A6).
        let store = try SQLiteServerStore(dataDirectory: system.data)
        try await eventually("every photo and scan is on the server", timeout: .seconds(30)) {
            let events = try await store.events(device: try DeviceID("copier-1"), from: 1, limit: 10_000)
            let blobs = events.compactMap { event -> Hash32? in
                switch event.body {
                case let .photo(photo): return photo.blobHash
                case let .content(content): return content.blobHash
                default: return nil
                }
            }
            guard blobs.count >= 6 + 24 + 2 else { return false }  // every page scanned, a photo per unlock
            for hash in blobs where try await store.blobProgress(hash) != .complete { return false }
            return true
        }

        // The server's copy of the device log verifies as a chain.
        system.stopAll()
        let events = try await store.events(device: try DeviceID("copier-1"), from: 1, limit: 10_000)
        #expect(events.count > 5)
        guard case .ok = EventChain.verify(events, device: try DeviceID("copier-1")) else {
            Issue.record("the server's device log does not verify")
            return
        }
        try await store.close()
    }

    @Test func theUplinkRunsOverTLSTrustingOnlyTheServersCA() async throws {
        let system = try SystemHarness(tls: true)
        defer { system.stopAll() }
        try system.setUpServer()
        #expect(system.serverURL.hasPrefix("https://localhost:"))
        try system.startCopier()
        try system.enrollAndStartAgent()  // enrolment over HTTPS, then the uplink over WSS
        var tap: [String: Any] = [:]
        do {
            try await eventually("an online tap over WSS unlocks") {
                tap = try system.agentCLI(["tap", "--card", "0042", "--pin", "1234"])
                return tap["unlocked"] as? Bool == true && tap["offline"] as? Bool == false
            }
        } catch {
            system.agent?.send(SIGTERM)
            _ = try? system.agent?.waitForExit(timeout: .seconds(5))
            let log = (system.agent?.standardError ?? "").split(separator: "\n").filter { $0.contains("uplink") && !$0.contains("deciding offline") }.suffix(5)
            Issue.record("agent log: \(log.joined(separator: "\n"))")
            throw error
        }
        _ = try system.job(copies: 1, pages: 2, colour: false)
        _ = try system.agentCLI(["logout"])
        try await eventually("the job reaches the server over WSS") { try await jobs(system).count == 1 }
    }
}
