import Foundation

/// How long the crash loop runs. `make test` runs the short version (the defaults, within about
/// two minutes); `make soak` the long one, from the environment (docs/crash-loop.md).
struct CrashLoopSettings: Sendable, CustomStringConvertible {
    /// Copier jobs in the online part, each one tap, one job, one logout.
    var jobs = 16
    /// Agent kills in the online part (SIGKILL, at a moment drawn for each).
    var agentKills = 6
    /// Server kills (SIGKILL), each restarted at once on the same port.
    var serverKills = 3
    /// The offline stretch: the second user's limit in pages, copied to exactly that limit with
    /// the server down, and how many times the agent is killed on the way.
    var offlineLimit = 40
    var offlineAgentKills = 2
    /// The draws of moments, page counts and kills; printed, so a run can be replayed.
    var seed = UInt64.random(in: 1...UInt64.max)

    /// `SOAK_JOBS`, `SOAK_AGENT_KILLS`, `SOAK_SERVER_KILLS`, `SOAK_OFFLINE_LIMIT`,
    /// `SOAK_OFFLINE_AGENT_KILLS`, `SOAK_SEED`; a value that is not a whole number stops the run
    /// with what was wrong.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CrashLoopSettings {
        var settings = CrashLoopSettings()
        func read<T: FixedWidthInteger>(_ name: String, _ value: inout T, in range: ClosedRange<T>) throws {
            try readSetting(name, &value, in: range, from: environment)
        }
        try read("SOAK_JOBS", &settings.jobs, in: 1...10_000)
        try read("SOAK_AGENT_KILLS", &settings.agentKills, in: 0...10_000)
        try read("SOAK_SERVER_KILLS", &settings.serverKills, in: 0...10_000)
        try read("SOAK_OFFLINE_LIMIT", &settings.offlineLimit, in: 10...10_000)
        try read("SOAK_OFFLINE_AGENT_KILLS", &settings.offlineAgentKills, in: 0...1_000)
        try read("SOAK_SEED", &settings.seed, in: 1...UInt64.max)
        guard settings.agentKills <= settings.jobs, settings.serverKills <= settings.jobs else {
            throw CrashLoopSettingsError(description: "SOAK_AGENT_KILLS and SOAK_SERVER_KILLS may be at most SOAK_JOBS (\(settings.jobs)): one of each per job at most")
        }
        return settings
    }

    var description: String {
        "jobs=\(jobs) agent_kills=\(agentKills) server_kills=\(serverKills) offline_limit=\(offlineLimit) offline_agent_kills=\(offlineAgentKills) seed=\(seed)"
    }
}

/// One whole-number setting from the environment, left as it is when unset; shared by the
/// copier's and the seal's crash loops so both read and refuse values alike.
func readSetting<T: FixedWidthInteger>(_ name: String, _ value: inout T, in range: ClosedRange<T>, from environment: [String: String]) throws {
    guard let text = environment[name] else { return }
    guard let number = T(text), range.contains(number) else {
        throw CrashLoopSettingsError(description: "\(name)=\(text): must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    value = number
}

struct CrashLoopSettingsError: Error, CustomStringConvertible {
    let description: String
}

/// Where in a job's life a process is killed.
enum CrashMoment: String, CaseIterable, Sendable {
    /// Nobody at the copier.
    case beforeTap
    /// A session open (the relay on), no job yet: the job then runs while the agent is away.
    case sessionOpen
    /// The copier printing.
    case midJob
    /// The job just ended, before its user logs out.
    case afterJob
    /// The session just closed.
    case afterLogout
}
