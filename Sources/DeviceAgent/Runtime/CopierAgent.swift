import Foundation
import Logging
import Protocol

/// The copier side of the agent, running: it feeds the pure `CopierSession` with taps, the
/// copier's status and job records, and time, and carries out the actions it returns against
/// the copier (Modbus), the store, the camera and the grant authority. An actor, so inputs are
/// handled one at a time; libmodbus and the store do their blocking work off the actor.
public actor CopierAgent {
    public struct Settings: Sendable {
        public var deviceID: DeviceID
        public var copierID: ResourceID
        public var watchdogMilliseconds: UInt16
        public var session: CopierSession.Configuration
        /// Where the copier drops each page's scan (`job-<seq>-page-<n>.png`); nil: no content capture.
        public var scanFolder: String?
        /// How often the copier is polled while a session is open, and while it is not.
        public var activePollMilliseconds: Int64
        public var idlePollMilliseconds: Int64
        public var clockSkew: Duration

        public init(
            deviceID: DeviceID, copierID: ResourceID, watchdogMilliseconds: UInt16 = CopierModbusMap.defaultWatchdogTimeout,
            session: CopierSession.Configuration = .init(), scanFolder: String? = nil,
            activePollMilliseconds: Int64 = 250, idlePollMilliseconds: Int64 = 2_000, clockSkew: Duration = GrantVerifier.defaultClockSkew
        ) {
            self.deviceID = deviceID
            self.copierID = copierID
            self.watchdogMilliseconds = watchdogMilliseconds
            self.session = session
            self.scanFolder = scanFolder
            self.activePollMilliseconds = activePollMilliseconds
            self.idlePollMilliseconds = idlePollMilliseconds
            self.clockSkew = clockSkew
        }
    }

    /// What a tap came to, for the person who tapped.
    public struct TapResult: Sendable, Equatable, Codable {
        public let unlocked: Bool
        public let offline: Bool
        public let pageBudget: UInt32?
        public let message: String
    }

    public struct Status: Sendable, Equatable, Codable {
        public let phase: String
        public let user: String?
        public let pageBudget: UInt32?
        public let pagesUsed: UInt32?
        public let offline: Bool?
        public let copierReachable: Bool
        public let copierState: String?
        public let events: UInt64
        public let acknowledged: UInt64
    }

    let settings: Settings
    let link: CopierLink
    let store: AgentStore
    let authority: any GrantAuthority
    let camera: any Camera
    let clock: AgentClock
    let hasher: CredentialHasher
    let logger: Logger

    var session: CopierSession
    var revocations = RevocationState()
    /// Messages for the person produced while handling the current input.
    var told: [String] = []
    /// Sessions written ahead in the store, by tag, so a job record read after its session
    /// closed names its user without a store read; the store has them all (and across restarts).
    var sessions: [UInt32: DurableCopierSession] = [:]
    /// One reader of the copier's job ring at a time: the poll loop and a lock's last read both
    /// read it, and two readers interleaving at their awaits would each log the same job.
    var readingJobs = false
    var jobReadWaiters: [CheckedContinuation<Void, Never>] = []
    /// True inside the reader's own task (see `readJobs`).
    @TaskLocal static var readingJobsInThisTask = false
    /// Set when a job could not be stored: the ring read stops there and retries at the next
    /// poll, so `lastSeen` never passes a job that is not stored.
    var jobNotStored = false
    var lastContact: ContinuousClock.Instant?
    var lastStatus: CopierStatusBlock?
    var jobStartedAt: Timestamp?
    /// Bumped when an unlock starts and when it lands: a status read that spans a change is stale.
    var unlockGeneration: UInt64 = 0
    /// When the copier last confirmed an unlock (the relay is on from then): for `make bench`.
    public internal(set) var lastUnlockConfirmed: ContinuousClock.Instant?
    /// The released split part being printed (the copier is unlocked for it, not for a person).
    var printing: PartPrintRun?
    /// Part prints by session tag, so their job records are logged as part prints.
    var partPrintsByTag: [UInt32: PartPrintRun] = [:]
    /// The copier job logged for each part printed since the agent started.
    var partJobsLogged: [String: (sequence: UInt32, pages: UInt32)] = [:]
    var tasks: [Task<Void, Never>] = []
    /// Heartbeats from a thread of their own while a session is open: neither a busy actor nor
    /// a busy cooperative pool delays them.
    let heartbeat: CopierHeartbeat
    var stopped = false

    public init(
        settings: Settings, link: CopierLink, store: AgentStore, authority: any GrantAuthority,
        camera: any Camera, clock: AgentClock, hasher: CredentialHasher, logger: Logger = Logger(label: "imprimatur.agent.copier")
    ) {
        self.settings = settings
        self.link = link
        self.store = store
        self.authority = authority
        self.camera = camera
        self.clock = clock
        self.hasher = hasher
        self.logger = logger
        heartbeat = CopierHeartbeat(link: link, watchdogMilliseconds: settings.watchdogMilliseconds, logger: logger)
        session = CopierSession(configuration: settings.session)
        if let last = store.lastEvent() { clock.observe(last.time) }
    }

    // MARK: Life cycle

    /// An agent dropped without `stop` sends no more heartbeats: the copier's watchdog locks it.
    deinit { heartbeat.abandon() }

    /// Forces the relay off (retrying until the copier answers), sets the watchdog, loads the
    /// revocation list, and starts polling, heartbeats and ticks.
    public func start() async {
        _ = await feed(.started)
        if let token = try? store.revocationList(), let keys = try? store.serverKeys() {
            try? revocations.apply(token: token, trustedKeys: keys)
        }
        tasks.append(Task { [weak self] in await self?.tickLoop() })
        tasks.append(Task { [weak self] in await self?.pollLoop() })
        heartbeat.start()
    }

    /// Locks the copier (closing an open session as an agent restart would) and stops the loops.
    public func stop() async {
        if let open = session.openSession {
            await recordClosed(open.authorization, tag: open.tag, reason: .agentRestart)
        }
        stopped = true
        await heartbeat.stop()
        for task in tasks { task.cancel() }
        tasks.removeAll()
        try? await link.forceLock()
        await pollJobs()
        await link.disconnect()
    }

    // MARK: Inputs from people

    public func tap(_ credential: Credential) async -> TapResult {
        if let printing {
            return TapResult(unlocked: false, offline: false, pageBudget: nil, message: "The copier is printing a released job (\(printing.partID)); try again in a moment.")
        }
        let before = session.openSession?.tag
        let messages = await feed(.tapped(credential))
        if let open = session.openSession, open.tag != before {
            return TapResult(unlocked: true, offline: open.authorization.isOffline, pageBudget: open.authorization.pageBudget,
                             message: messages.joined(separator: " "))
        }
        return TapResult(unlocked: false, offline: false, pageBudget: nil, message: messages.joined(separator: " "))
    }

    public func logout() async -> String {
        let messages = await feed(.logout)
        return messages.isEmpty ? "No session is open." : messages.joined(separator: " ")
    }

    /// Grants the server revoked (pushed over the uplink or in a signed revocation list).
    public func revoke(_ grants: Set<GrantID>) async {
        _ = await feed(.revoked(grants))
    }

    /// Applies a signed revocation list: stored, and any open session it names is closed.
    public func applyRevocationList(token: [UInt8]) async throws(RevocationRefusal) {
        let keys = (try? store.serverKeys()) ?? TrustedKeys()
        try revocations.apply(token: token, trustedKeys: keys)
        _ = try? store.storeRevocationList(token: token)
        if let list = revocations.current?.content {
            _ = await feed(.revoked(Set(list.entries.map(\.grantID))))
        }
    }

    public func status() -> Status {
        let open = session.openSession
        let phase: String
        switch session.phase {
        case .starting: phase = "starting"
        case .locked: phase = "locked"
        case .identifying: phase = "identifying"
        case .open: phase = "open"
        }
        return Status(
            phase: phase, user: open?.authorization.user.value, pageBudget: open?.authorization.pageBudget,
            pagesUsed: open?.pagesUsed, offline: open?.authorization.isOffline,
            copierReachable: lastContact.map { ContinuousClock.now - $0 < .milliseconds(Int64(settings.watchdogMilliseconds)) } ?? false,
            copierState: lastStatus?.state.description, events: store.eventCount,
            acknowledged: (try? store.acknowledgedSequence()) ?? 0
        )
    }

    public var phase: CopierSession.Phase { session.phase }

    // MARK: The machine

    /// Feeds one input and carries out the actions, in order. Returns what was told to the person.
    @discardableResult
    func feed(_ input: CopierSession.Input) async -> [String] {
        let actions = session.handle(input, now: clock.now())
        let wanted = session.openSession != nil || printing != nil
        heartbeat.wanted = wanted
        var messages: [String] = []
        for action in actions {
            messages += await perform(action)
        }
        return messages
    }
}
