import Foundation
import Glibc
import TestSupport

/// The crash loop (issue 13): a real server, simulated copier and agent, copier jobs one after
/// another with the agent and the server killed (SIGKILL) at drawn moments, then an offline
/// stretch that copies a user to exactly their limit while the agent is killed on the way. It
/// keeps the copier's own answer for every job (who tapped, the pages it printed) to set against
/// the server's charges at the end.
final class CrashLoop: @unchecked Sendable {
    let settings: CrashLoopSettings
    let system: SystemHarness
    private var random: SplitMix64
    /// Every job the copier ran, as its panel answered: the truth the server must match.
    private(set) var copierJobs: [CrashLoopJob] = []
    private(set) var agentKills = 0
    private(set) var serverKills = 0
    /// Milliseconds from an agent's death with a session open to the copier locking itself.
    private(set) var relocks: [Int] = []
    /// Pages the offline user had printed in all, against their limit.
    private(set) var offlineUserPages = 0

    static let alice = (id: "alice", card: "0042", pin: "1234")
    static let bob = (id: "bob", card: "0077", pin: "4321")
    static let watchdogMilliseconds = 2_000

    init(_ settings: CrashLoopSettings) throws {
        self.settings = settings
        system = try SystemHarness()
        random = SplitMix64(seed: settings.seed)
    }

    // MARK: Set-up

    func start() throws {
        try system.serverCLI(["user", "add", "--name", "Alice", "--id", Self.alice.id, "--card", Self.alice.card, "--pin", Self.alice.pin, "--role", "employee"])
        try system.serverCLI(["user", "add", "--name", "Bob", "--id", Self.bob.id, "--card", Self.bob.card, "--pin", Self.bob.pin, "--role", "employee"])
        try system.serverCLI(["user", "add", "--name", "Ada Admin", "--id", "ada", "--role", "administrator"])
        try system.serverCLI(["price", "set", "--paper", "A4", "--mono", "--price", "5", "--currency", "EUR"])
        // Alice never reaches hers; Bob is copied to exactly his, offline.
        try system.serverCLI(["quota", "set", "--user", Self.alice.id, "--limit", "1000000", "--unit", "pages"])
        try system.serverCLI(["quota", "set", "--user", Self.bob.id, "--limit", String(settings.offlineLimit), "--unit", "pages"])
        system.apiToken = try system.serverCLI(["token", "create", "--user", "ada"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try system.startServer()
        // 20 pages a second: a job of a few pages lasts long enough to be killed in.
        try system.startCopier(["--page-rate", "20"])
        try system.enrollAndStartAgent()
    }

    // MARK: The online part

    func runOnline() async throws {
        var agentKillsLeft = settings.agentKills
        var serverKillsLeft = settings.serverKills
        for index in 0..<settings.jobs {
            let jobsLeft = settings.jobs - index
            let agentMoment = draw(&agentKillsLeft, jobsLeft: jobsLeft)
            let serverMoment = draw(&serverKillsLeft, jobsLeft: jobsLeft)
            try await oneJob(user: Self.alice, pages: Int.random(in: 1...10, using: &random),
                             agentMoment: agentMoment, serverMoment: serverMoment, offline: nil)
            if (index + 1) % 25 == 0 {
                FileHandle.standardError.write(Data("crash loop: \(index + 1) of \(settings.jobs) jobs, \(agentKills) agent and \(serverKills) server kills\n".utf8))
            }
        }
    }

    /// A kill's moment for this job, or nil: the kills left spread over the jobs left.
    private func draw(_ killsLeft: inout Int, jobsLeft: Int) -> CrashMoment? {
        guard killsLeft > 0, Int.random(in: 0..<jobsLeft, using: &random) < killsLeft else { return nil }
        killsLeft -= 1
        return CrashMoment.allCases.randomElement(using: &random)
    }

    /// One tap, one job, one logout, with the agent and the server killed at their moments.
    /// `offline`: whether the tap must be answered offline (nil: either). Returns the pages printed,
    /// or nil when the tap was refused (only asked for with `refusalEnds`).
    @discardableResult
    func oneJob(user: (id: String, card: String, pin: String), pages: Int, agentMoment: CrashMoment?, serverMoment: CrashMoment?,
                offline: Bool?, refusalEnds: Bool = false) async throws -> Int? {
        try await at(.beforeTap, agentMoment, serverMoment)
        guard try await tap(user, offline: offline, refusalEnds: refusalEnds) else { return nil }
        // Killed with the session open, the agent stays away while the job runs on the
        // copier's budget; it is started again after the job.
        let agentAway = agentMoment == .sessionOpen
        if agentAway { try killAgent() }
        if serverMoment == .sessionOpen { try restartServerAfterKill() }

        let job = onThread { [system] in try system.job(copies: 1, pages: pages, colour: false)["pages_printed"] as? Int ?? 0 }
        if agentMoment == .midJob || serverMoment == .midJob {
            try await eventually("the copier is copying", timeout: .seconds(10)) {
                let status = try system.copierStatus()
                return status["state"] as? String == "copying" || status["current_job"] is NSNull
            }
            try await at(.midJob, agentMoment, serverMoment)
        }
        let printed = try await job.value
        copierJobs.append(CrashLoopJob(user: user.id, pages: printed))
        if agentAway { try system.startAgent() }

        try await at(.afterJob, agentMoment, serverMoment)
        try await logout()
        try await at(.afterLogout, agentMoment, serverMoment)
        return printed
    }

    /// Kills what is due at `moment`; a killed agent with a session open is timed until the
    /// copier locks itself, then started again.
    private func at(_ moment: CrashMoment, _ agentMoment: CrashMoment?, _ serverMoment: CrashMoment?) async throws {
        if serverMoment == moment { try restartServerAfterKill() }
        guard agentMoment == moment else { return }
        try killAgent()
        if moment == .midJob || moment == .afterJob { relocks.append(try await timeRelock()) }
        try system.startAgent()
    }

    // MARK: The offline stretch

    /// Bob taps once online (the agent then holds his limit grant), the server is killed and
    /// stays down, and Bob copies until the agent refuses him; the agent is killed on the way.
    func runOffline() async throws {
        let first = try await oneJob(user: Self.bob, pages: 2, agentMoment: nil, serverMoment: nil, offline: false) ?? 0
        offlineUserPages = first
        try killServer()
        var killsLeft = settings.offlineAgentKills
        for _ in 0..<(settings.offlineLimit + settings.offlineAgentKills + 4) {
            let expectedJobsLeft = max(1, (settings.offlineLimit - offlineUserPages) / 10 + 1)
            var moment: CrashMoment?
            if killsLeft > 0, Int.random(in: 0..<expectedJobsLeft, using: &random) < killsLeft {
                killsLeft -= 1
                moment = [.sessionOpen, .midJob, .afterJob].randomElement(using: &random)
            }
            let atLimit = offlineUserPages >= settings.offlineLimit
            guard let printed = try await oneJob(user: Self.bob, pages: Int.random(in: 6...14, using: &random), agentMoment: moment,
                                                 serverMoment: nil, offline: true, refusalEnds: atLimit) else { break }
            offlineUserPages += printed
        }
        try system.startServer()
    }

    // MARK: Processes

    func killAgent() throws {
        system.agent?.send(SIGKILL)
        _ = try system.agent?.waitForExit(timeout: .seconds(10))
        system.agent = nil
        agentKills += 1
    }

    func killServer() throws {
        system.serverProcess?.send(SIGKILL)
        _ = try system.serverProcess?.waitForExit(timeout: .seconds(10))
        system.serverProcess = nil
        serverKills += 1
    }

    private func restartServerAfterKill() throws {
        try killServer()
        try system.startServer()
    }

    /// From now (the agent just died) until the copier's relay is off.
    private func timeRelock() async throws -> Int {
        let killed = ContinuousClock.now
        try await eventually("the copier locks itself", timeout: .seconds(10)) { try system.copierStatus()["relay"] as? Bool == false }
        return milliseconds(ContinuousClock.now - killed)
    }

    // MARK: As a person does it

    /// Taps until the agent unlocks (a restarting agent, a restarting server). With `refusalEnds`,
    /// a refusal of an agent that answers is the answer: false.
    private func tap(_ user: (id: String, card: String, pin: String), offline: Bool?, refusalEnds: Bool) async throws -> Bool {
        var refused = false
        try await eventually("\(user.id)'s tap unlocks the copier (offline: \(offline.map(String.init) ?? "either"))", timeout: .seconds(40)) {
            guard let answer = agentAnswer(["tap", "--card", user.card, "--pin", user.pin]) else { return false }
            if answer["unlocked"] as? Bool == true {
                guard let offline else { return true }
                if answer["offline"] as? Bool == offline { return true }
                // Unlocked the other way than asked: close it again and tap once more.
                _ = agentAnswer(["logout"])
                return false
            }
            if refusalEnds, answer["ok"] as? Bool == true || answer["unlocked"] != nil { refused = true; return true }
            return false
        }
        return !refused
    }

    private func logout() async throws {
        try await eventually("the session closes", timeout: .seconds(40)) { agentAnswer(["logout"])?["ok"] as? Bool == true }
    }

    /// The agent CLI's JSON answer; nil while the agent is not there to answer.
    func agentAnswer(_ arguments: [String]) -> [String: Any]? {
        guard let result = try? ChildProcess.run(system.agentBinary, arguments + ["--config", system.agentConfig]) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any]
    }
}
