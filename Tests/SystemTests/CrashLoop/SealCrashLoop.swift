import Foundation
import Glibc
import Testing
import TestSupport

/// The seal's crash loop (issue 13): sessions one after another on a real server, the simulated
/// USB seal and a seal box's agent, the agent killed (SIGKILL) at drawn moments. It keeps the
/// seal's own answer for every press, the truth the server's count must match.
final class SealCrashLoop: @unchecked Sendable {
    let settings: SealCrashLoopSettings
    let box: SealBoxHarness
    private var random: SplitMix64
    private(set) var applications: [SealCrashLoopApplication] = []
    private(set) var agentKills = 0
    /// Milliseconds from a kill with the seal open to the seal locked by its watchdog.
    private(set) var relocks: [Int] = []
    /// Presses past a session's uses the seal did not refuse (the agent alive).
    private(set) var extraPressesStamped = 0
    /// The seal's watchdog period as its panel reports it (read at each timed relock).
    private(set) var watchdogMilliseconds = 3_000

    init(_ settings: SealCrashLoopSettings) throws {
        self.settings = settings
        box = try SealBoxHarness()
        random = SplitMix64(seed: settings.seed)
    }

    func run() async throws {
        try await box.start()
        var killsLeft = settings.agentKills
        for index in 0..<settings.sessions {
            var moment: SealKillMoment?
            if killsLeft > 0, Int.random(in: 0..<(settings.sessions - index), using: &random) < killsLeft {
                killsLeft -= 1
                moment = SealKillMoment.allCases.randomElement(using: &random)
            }
            try await oneSession(killed: moment)
            if (index + 1) % 10 == 0 {
                FileHandle.standardError.write(Data("seal crash loop: \(index + 1) of \(settings.sessions) sessions, \(agentKills) agent kills\n".utf8))
            }
        }
    }

    /// An application for 1-4 uses; a tap; 0 to all of them pressed, on some sessions one press
    /// more (to be refused); a logout; the agent killed at `killed`. When uses are left, half the
    /// time (and always after a kill, when a report may still be unsent) a second tap right away
    /// spends them: its grant must not buy back stamps the server has not counted yet.
    private func oneSession(killed moment: SealKillMoment?) async throws {
        let approved = Int.random(in: 1...4, using: &random)
        let planned = Int.random(in: 0...approved, using: &random)
        let extra = planned == approved && Bool.random(using: &random)
        let killAfterPress = planned >= 2 ? Int.random(in: 1..<planned, using: &random) : 1
        let spendRest = Bool.random(using: &random)
        let id = try await box.approvedApplication(uses: approved)
        FileHandle.standardError.write(Data("seal crash loop: \(id) uses=\(approved) presses=\(planned)\(extra ? "+1" : "") kill=\(moment?.rawValue ?? "none")\n".utf8))
        applications.append(SealCrashLoopApplication(id: id, approved: approved))

        if moment == .beforeTap { try await killAndRestart() }
        guard let allowed = try await tap(id) else {
            Issue.record("the approved application \(id) for \(approved) did not open the seal: \(lastRefusal); \(agentDiagnosis())")
            try await restartAgent()
            return
        }
        #expect(allowed == approved, "a fresh application for \(approved) opened for \(allowed)")
        var killedAt: ContinuousClock.Instant?
        var made = 0
        func kill() throws { try killAgent(); killedAt = .now }

        if moment == .sessionOpen { try kill() }
        for press in 0..<(planned + (extra ? 1 : 0)) {
            // Killed mid-session, the rest is pressed while no agent listens (the seal stays
            // open until its watchdog): those stamps too must reach the server once.
            if press >= 1, press == killAfterPress, moment == .betweenStamps { try kill() }
            made += try self.press(id, made: made, allowed: allowed, agentAlive: killedAt == nil)
        }
        // Fewer than two presses have no "between": the kill then comes after them.
        if moment == .afterLastStamp || (moment == .betweenStamps && killedAt == nil) { try kill() }
        if killedAt == nil { try await logout() }
        if moment == .afterClose { try kill() }
        if let killedAt {
            if made < allowed, moment != .afterClose { try await timeRelock(from: killedAt) }
            try await restartAgent()
        }
        let left = approved - stamped(id)
        if left > 0, spendRest || moment != nil { try await spend(id, left: left) }
    }

    /// A second tap for what `id` has left: every use it opens for must be left (the seal's
    /// count, which the server may not hold yet), each stamps, and one press more is refused.
    private func spend(_ id: String, left: Int) async throws {
        // Not opened within 20 s: the server counts more than the seal made, which the verdict shows.
        guard let allowed = try await tap(id) else { return }
        #expect(allowed <= left, "a second tap on \(id) opened for \(allowed), \(left) left")
        var made = 0
        for _ in 0..<(allowed + 1) { made += try press(id, made: made, allowed: allowed, agentAlive: true) }
        try await logout()
    }

    /// One press on the seal's panel; 1 when it stamped. Checked against the session only while
    /// the agent lives: a dead agent's session ends with the watchdog.
    private func press(_ id: String, made: Int, allowed: Int, agentAlive: Bool) throws -> Int {
        let stamped = try box.panel("stamp")["stamped"] as? Bool == true
        if stamped { applications[applications.count - 1].stamped += 1 }
        if made >= allowed, stamped { extraPressesStamped += 1 }
        if agentAlive, made < allowed { #expect(stamped, "press \(made + 1) of \(allowed) on \(id) refused") }
        return stamped ? 1 : 0
    }

    private func stamped(_ id: String) -> Int { applications.last { $0.id == id }?.stamped ?? 0 }

    // MARK: Processes

    private func killAgent() throws {
        let agent = try #require(box.agent)
        agent.send(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(10))
        box.agent = nil
        agentKills += 1
    }

    private func killAndRestart() async throws {
        try killAgent()
        try await restartAgent()
    }

    private func restartAgent() async throws {
        try box.startAgent()
        try await eventually("the restarted agent sees the seal", timeout: .seconds(20)) {
            (self.agentAnswer(["status"])?["seal"] as? [String: Any])?["connected"] as? Bool == true
        }
    }

    /// From the kill until the seal's panel says locked, by its watchdog.
    private func timeRelock(from killed: ContinuousClock.Instant) async throws {
        try await eventually("the seal's watchdog locks it", timeout: .seconds(15)) { try self.box.sealLocked() }
        relocks.append(milliseconds(ContinuousClock.now - killed))
        let status = try box.panel("status")
        #expect(status["last_lock"] as? String == "watchdog", "\(status)")
        watchdogMilliseconds = status["watchdog_ms"] as? Int ?? watchdogMilliseconds
    }

    // MARK: As a person does it

    /// Taps for `id` until the seal opens (a restarted agent may not have its uplink yet, or
    /// still count a stamp the server holds but has not acked); the uses it opened for, nil
    /// when it did not open within 20 s.
    private func tap(_ id: String) async throws -> Int? {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let answer = agentAnswer(["tap", "--card", "0042", "--pin", "1234", "--seal", "--application", id])
            if answer?["unlocked"] as? Bool == true { return answer?["uses"] as? Int ?? 0 }
            lastRefusal = answer.map { "\($0)" } ?? "no answer (\(lastCLIError))"
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    private var lastCLIError = ""

    /// The agent alive or not, and what it wrote on stderr: why a tap found no agent.
    func agentDiagnosis() -> String {
        guard let agent = box.agent else { return "no agent started" }
        let alive = kill(agent.processIdentifier, 0) == 0
        if alive { agent.send(SIGTERM) }
        let status = (try? agent.waitForExit(timeout: .seconds(5))).map(String.init) ?? "?"
        box.agent = nil
        return "agent alive=\(alive) status=\(status) stderr: \(agent.standardError.prefix(6000))"
    }

    /// The last answer of a tap that did not open, for the failure's message.
    private var lastRefusal = ""

    private func logout() async throws {
        try await eventually("the seal session closes", timeout: .seconds(20)) { self.agentAnswer(["logout", "--seal"])?["ok"] as? Bool == true }
    }

    /// The agent CLI's JSON answer; nil while no agent is there to answer.
    func agentAnswer(_ arguments: [String]) -> [String: Any]? {
        guard let result = try? ChildProcess.run(box.system.agentBinary, arguments + ["--config", box.agentConfig]) else { return nil }
        lastCLIError = result.error
        return (try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any]
    }

    /// What the server holds for every application of the run.
    func serverCounts() async throws -> [String: SealServerCount] {
        var counts: [String: SealServerCount] = [:]
        for application in applications {
            let answer = try await box.application(application.id)
            let records = answer["records"] as? [[String: Any]] ?? []
            counts[application.id] = SealServerCount(usesMade: answer["uses_made"] as? Int ?? -1, useNumbers: records.map { $0["use_number"] as? Int },
                                                     flagged: records.filter { $0["flagged"] != nil && !($0["flagged"] is NSNull) }.count)
        }
        return counts
    }
}
