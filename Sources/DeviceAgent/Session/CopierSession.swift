import Protocol

/// The copier side of the agent as a pure state machine (DESIGN.md: state machines that return
/// actions). It reads no clock, touches no hardware and no disk: the runtime feeds it inputs with
/// the time, and carries out the actions it returns, in order.
///
/// locked → identifying → open(grant, budget) → … → locked, on logout, idle timeout, budget
/// spent, grant expiry, revocation, or a fault. It starts by forcing the relay off and opens
/// only with a `SessionAuthorization`, which only a verified grant produces.
public struct CopierSession: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// A session with no job running and no activity for this long is closed.
        public var idleTimeoutMilliseconds: Int64
        /// A grant request with no answer for this long is given up.
        public var identifyTimeoutMilliseconds: Int64

        public init(idleTimeoutMilliseconds: Int64 = 60_000, identifyTimeoutMilliseconds: Int64 = 10_000) {
            self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
            self.identifyTimeoutMilliseconds = identifyTimeoutMilliseconds
        }
    }

    public struct OpenSession: Sendable, Equatable {
        public let tag: UInt32
        public let authorization: SessionAuthorization
        public let openedAt: Timestamp
        public var lastActivity: Timestamp
        public var pagesUsed: UInt32
        public var copying: Bool
        /// The copier confirmed the unlock writes; until then a "locked" status is stale.
        public var unlockConfirmed: Bool
    }

    public enum Phase: Sendable, Equatable {
        /// Before the relay has been forced off: nothing else may happen.
        case starting
        case locked
        case identifying(Credential, since: Timestamp)
        case open(OpenSession)
    }

    public enum Input: Sendable, Equatable {
        /// The agent has started.
        case started
        /// The relay was forced off (the first thing at start-up).
        case lockConfirmed
        case tapped(Credential)
        /// A grant was verified for the credential being identified, and a session tag taken.
        case authorized(SessionAuthorization, tag: UInt32)
        /// The copier accepted the unlock writes (tag, budget, relay on).
        case unlockConfirmed
        /// The grant request was refused, or could not be decided; `message` is for the person.
        case refused(message: String)
        case logout
        /// Time passes (the runtime ticks about once a second).
        case tick
        /// A status block read from the copier.
        case status(CopierStatusBlock)
        /// A job record of the open session, newly read from the copier's ring.
        case jobFinished(CopierJobRecord)
        /// The server revoked these grants.
        case revoked(Set<GrantID>)
        /// The copier has not answered for longer than its watchdog: it has locked itself.
        case linkLost(reason: String)
        /// The link check found the relay off: the copier's watchdog locked it.
        case relayFoundOff
        /// The session could not be written ahead in the store: it must not unlock (H1).
        case sessionNotRecorded(reason: String)
    }

    public enum Action: Sendable, Equatable {
        /// Write relay 0, and keep trying until it is confirmed (start-up).
        case forceLock
        case requestAuthorization(Credential)
        /// Write session tag, page budget, then relay 1 (docs/modbus-map.md, "Unlock").
        case unlock(tag: UInt32, pageBudget: UInt32)
        /// Write relay 0 (idempotent) and read the job ring one last time.
        case lock
        case takePhoto(user: UserID, sessionTag: UInt32)
        case recordSessionOpened(SessionAuthorization, tag: UInt32)
        case recordSessionClosed(SessionAuthorization, tag: UInt32, reason: SessionCloseReason)
        case recordJob(CopierJobRecord, SessionAuthorization, tag: UInt32)
        /// A message for the person at the device (the reader's display, the CLI).
        case tell(String)
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .starting

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var openSession: OpenSession? {
        if case let .open(session) = phase { return session }
        return nil
    }

    public mutating func handle(_ input: Input, now: Timestamp) -> [Action] {
        switch (phase, input) {
        case (_, .started):
            if let session = openSession {
                // A restart with a session open (only in tests: a real restart starts afresh).
                phase = .starting
                return [.recordSessionClosed(session.authorization, tag: session.tag, reason: .agentRestart), .forceLock]
            }
            phase = .starting
            return [.forceLock]

        case (.starting, .lockConfirmed):
            phase = .locked
            return []
        case (.starting, .tapped):
            return [.tell("The copier is starting; try again in a moment.")]
        case (.starting, _):
            return []

        case let (.locked, .tapped(credential)):
            phase = .identifying(credential, since: now)
            return [.requestAuthorization(credential)]
        case (.locked, _):
            return []

        case let (.identifying, .authorized(authorization, tag)):
            guard authorization.pageBudget > 0 else {
                phase = .locked
                return [.tell("No pages left on your quota.")]
            }
            guard now < authorization.expires else {
                phase = .locked
                return [.tell("The grant arrived already expired; please try again.")]
            }
            phase = .open(OpenSession(
                tag: tag, authorization: authorization, openedAt: now, lastActivity: now, pagesUsed: 0, copying: false,
                unlockConfirmed: false
            ))
            // Recorded before the unlock is tried, so a failed unlock's "closed" event comes after
            // this "opened" one; "Unlocked" is said only once the copier has confirmed it.
            return [
                .recordSessionOpened(authorization, tag: tag),
                .unlock(tag: tag, pageBudget: authorization.pageBudget),
                .takePhoto(user: authorization.user, sessionTag: tag),
            ]
        case let (.identifying, .refused(message)):
            phase = .locked
            return [.tell(message)]
        case let (.identifying(_, since), .tick):
            guard now.milliseconds(since: since) >= configuration.identifyTimeoutMilliseconds else { return [] }
            phase = .locked
            return [.tell("No answer in time; please try again.")]
        case (.identifying, .tapped):
            return [.tell("Still checking the previous card.")]
        case (.identifying, _):
            return []

        case let (.open(session), input):
            return handleOpen(session, input, now: now)
        }
    }

    private mutating func handleOpen(_ session: OpenSession, _ input: Input, now: Timestamp) -> [Action] {
        var session = session
        switch input {
        case .logout:
            return close(session, .logout, message: "Logged out.")
        case .tapped:
            return [.tell("A session is open for \(session.authorization.user); log out first.")]
        case .unlockConfirmed:
            guard !session.unlockConfirmed else { return [] }
            session.unlockConfirmed = true
            phase = .open(session)
            let mode = session.authorization.isOffline ? " (offline)" : ""
            return [.tell("Unlocked for \(session.authorization.user): up to \(session.authorization.pageBudget) page(s)\(mode).")]
        case .relayFoundOff:
            // Read before the unlock landed, it says nothing about this session (as for a status).
            guard session.unlockConfirmed else { return [] }
            return close(session, .fault, message: "The copier locked itself (watchdog); the session is closed.")
        case .tick:
            if now >= session.authorization.expires {
                return close(session, .grantExpired, message: "Your grant expired; the copier is locked.")
            }
            if !session.copying && now.milliseconds(since: session.lastActivity) >= configuration.idleTimeoutMilliseconds {
                return close(session, .idleTimeout, message: "Locked after a period with no use.")
            }
            return []
        case let .status(status):
            switch status.state {
            case .copying:
                session.copying = true
                session.lastActivity = now
                phase = .open(session)
                return []
            case .ready:
                if session.copying { session.lastActivity = now }
                session.copying = false
                phase = .open(session)
                return []
            case .fault:
                return close(session, .fault, message: "The copier reports a fault (\(status.fault)); it is locked.")
            case .locked:
                // A status read before the unlock landed says nothing about this session.
                guard session.unlockConfirmed else { return [] }
                // The copier locked itself without a job record saying why (the job records are
                // fed before the status of the same poll): its watchdog or budget did it.
                let reason: SessionCloseReason = session.pagesUsed >= session.authorization.pageBudget ? .budgetSpent : .fault
                return close(session, reason, message: "The copier locked itself; the session is closed.")
            }
        case let .jobFinished(record):
            session.pagesUsed = session.pagesUsed &+ record.pages
            session.copying = false
            session.lastActivity = now
            phase = .open(session)
            let recorded = Action.recordJob(record, session.authorization, tag: session.tag)
            switch record.end {
            case .budgetExhausted:
                return [recorded] + close(session, .budgetSpent, message: "Your page budget is spent; the copier is locked.")
            case .watchdogExpired, .fault:
                return [recorded] + close(session, .fault, message: "The copier stopped (\(record.end)); it is locked.")
            case .lockedByAgent, .completed, .cancelled:
                if session.pagesUsed >= session.authorization.pageBudget {
                    return [recorded] + close(session, .budgetSpent, message: "Your page budget is spent; the copier is locked.")
                }
                return [recorded]
            }
        case let .revoked(grants):
            guard grants.contains(session.authorization.grantID) else { return [] }
            return close(session, .revoked, message: "Your grant was revoked; the copier is locked.")
        case let .linkLost(reason):
            return close(session, .fault, message: "Lost the copier (\(reason)); it has locked itself.")
        case let .sessionNotRecorded(reason):
            return close(session, .fault, message: "The agent cannot record the session (\(reason)); the copier stays locked.")
        case .started, .lockConfirmed, .authorized, .refused:
            return []
        }
    }

    private mutating func close(_ session: OpenSession, _ reason: SessionCloseReason, message: String) -> [Action] {
        phase = .locked
        return [
            .lock,
            .recordSessionClosed(session.authorization, tag: session.tag, reason: reason),
            .tell(message),
        ]
    }
}
