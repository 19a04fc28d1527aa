import Foundation

/// How long the seal's crash loop runs (issue 13, the seal the same as the copier). The
/// defaults are the short version the umockdev pass of `make test` runs (well within 90 s);
/// `make soak` runs the long one from the environment (docs/crash-loop.md).
struct SealCrashLoopSettings: Sendable, CustomStringConvertible {
    /// Seal sessions, each on an application of its own: one tap, some stamps, a logout.
    var sessions = 8
    /// Agent kills (SIGKILL), spread over the sessions, at most one per session.
    var agentKills = 3
    /// The draws of uses, presses and kill moments; printed, so a run can be replayed.
    var seed = UInt64.random(in: 1...UInt64.max)

    /// `SOAK_SEAL_SESSIONS`, `SOAK_SEAL_AGENT_KILLS`, `SOAK_SEED`.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SealCrashLoopSettings {
        var settings = SealCrashLoopSettings()
        try readSetting("SOAK_SEAL_SESSIONS", &settings.sessions, in: 1...10_000, from: environment)
        try readSetting("SOAK_SEAL_AGENT_KILLS", &settings.agentKills, in: 0...10_000, from: environment)
        try readSetting("SOAK_SEED", &settings.seed, in: 1...UInt64.max, from: environment)
        guard settings.agentKills <= settings.sessions else {
            throw CrashLoopSettingsError(description: "SOAK_SEAL_AGENT_KILLS may be at most SOAK_SEAL_SESSIONS (\(settings.sessions)): one kill per session at most")
        }
        return settings
    }

    var description: String { "sessions=\(sessions) agent_kills=\(agentKills) seed=\(seed)" }
}

/// Where in a seal session's life the agent is killed.
enum SealKillMoment: String, CaseIterable, Sendable {
    /// Nobody at the seal: the tap comes to the restarted agent.
    case beforeTap
    /// Open, no stamp yet: every stamp is made while no agent listens.
    case sessionOpen
    /// After some of the stamps: a report may be in flight, stored but not acked, or unsent.
    case betweenStamps
    /// Right after the last press, before the logout.
    case afterLastStamp
    /// The session just closed.
    case afterClose
}
