import Foundation
import Testing
import TestSupport

/// Issue 13's crash loop: nothing lost, nothing counted twice, zero pages over, with real
/// processes killed at random moments. The short version runs in `make test`; `make soak` runs
/// the long one (300 jobs, 100 agent kills, 50 server kills) with the SOAK_* settings.
@Suite("Whole system: the crash loop", .serialized)
struct CrashLoopSystemTests {
    @Test func nothingLostNothingCountedTwiceNoPageOverTheLimit() async throws {
        let settings = try CrashLoopSettings.fromEnvironment()
        print("soak: \(settings)")
        let loop = try CrashLoop(settings)
        defer { loop.system.stopAll() }
        try loop.start()
        try await loop.runOnline()
        try await loop.runOffline()

        // Everything settles: the agent's store forwarded and acknowledged, the server holding as
        // many charges as the copier ran jobs (or, when something is wrong, as many as it ever will).
        let ran = loop.copierJobs.filter { $0.pages > 0 }.count
        try await eventually("the agent's events are all acknowledged", timeout: .seconds(120)) {
            guard let status = loop.agentAnswer(["status"])?["status"] as? [String: Any],
                  let events = status["events"] as? Int, let acknowledged = status["acknowledged"] as? Int else { return false }
            return events == acknowledged
        }
        var charged = try await serverJobs(loop.system)
        try? await eventually("the server holds \(ran) jobs", timeout: .seconds(30)) { charged = try await serverJobs(loop.system); return charged.count >= ran }
        try await Task.sleep(for: .seconds(1))
        charged = try await serverJobs(loop.system)

        let verdict = CrashLoopComparison(copier: loop.copierJobs, server: charged)
        let over = max(0, loop.offlineUserPages - settings.offlineLimit)
        print("soak: jobs=\(loop.copierJobs.count) agent_kills=\(loop.agentKills) server_kills=\(loop.serverKills) lost=\(verdict.lost) duplicated=\(verdict.duplicated) pages_over_limit=\(over) mismatched=\(verdict.mismatched)")
        let relocks = loop.relocks.sorted()
        if !relocks.isEmpty {
            print("soak: relock_ms median=\(relocks[relocks.count / 2]) max=\(relocks.last!) n=\(relocks.count) watchdog_ms=\(CrashLoop.watchdogMilliseconds)")
        }
        #expect(verdict.clean, "copier ran \(loop.copierJobs), the server charged \(charged)")
        #expect(over == 0, "\(loop.offlineUserPages) pages printed for bob on a \(settings.offlineLimit)-page limit")
        #expect(loop.offlineUserPages == settings.offlineLimit, "bob, copied offline to his limit, got \(loop.offlineUserPages) of \(settings.offlineLimit) pages")
        // The copier's own page counter agrees with the answers it gave job by job.
        let counter = try loop.system.copierStatus()["total_pages"] as? Int
        #expect(counter == loop.copierJobs.map(\.pages).reduce(0, +), "the copier's counter against its job answers")
        // The copier locked itself every time (timeRelock fails the run past 10 s). How soon is
        // a figure, printed above, measured by polling with a process per poll: only as exact as
        // the box is idle. So the bound (the watchdog plus 2 s) is held in `make soak`, which runs
        // alone; inside `make test`, beside 880 other tests on 2 cores, polls lag by seconds
        // (once 4,965 ms in CI), and a timed assertion there tests
        // the load, not the watchdog.
        if ProcessInfo.processInfo.environment["SOAK_JOBS"] != nil {
            #expect(relocks.allSatisfy { $0 <= CrashLoop.watchdogMilliseconds + 2_000 }, "relock times \(relocks) ms")
        }
    }

    func serverJobs(_ system: SystemHarness) async throws -> [CrashLoopJob] {
        let items = try #require(try await system.api("/api/v1/jobs?limit=1000")["items"] as? [[String: Any]])
        return items.map { CrashLoopJob(user: $0["user"] as? String ?? "?", pages: $0["pages"] as? Int ?? -1) }
    }
}
