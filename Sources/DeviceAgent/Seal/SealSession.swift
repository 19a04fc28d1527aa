import Protocol

/// The seal side of the agent as a pure state machine, like `CopierSession`: inputs with the
/// time in, actions out, no clock, no USB, no disk.
///
/// locked → unlocking (device info; the session written ahead in the store; then unlock with
/// the seal's nonce) → open (heartbeats, stamp reports) → locked, on the last use, logout, revocation, grant expiry, the seal gone
/// (unplugged) or the seal locking itself (watchdog, unseated).
public struct SealSession: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The watchdog the agent asks of the seal; heartbeats go at a third of it.
        public var watchdogMilliseconds: UInt16
        public var photoMode: SealPhotoMode
        /// Manual mode: photos taken after the last stamp; nil takes one per stamp made.
        public var photosAfterUse: Int?
        /// An unlock with no answer for this long is given up.
        public var unlockTimeoutMilliseconds: Int64

        public init(watchdogMilliseconds: UInt16 = 3000, photoMode: SealPhotoMode = .automatic, photosAfterUse: Int? = nil,
                    unlockTimeoutMilliseconds: Int64 = 10_000) {
            self.watchdogMilliseconds = watchdogMilliseconds
            self.photoMode = photoMode
            self.photosAfterUse = photosAfterUse
            self.unlockTimeoutMilliseconds = unlockTimeoutMilliseconds
        }
    }

    public struct OpenSession: Sendable, Equatable {
        public let authorization: SealAuthorization
        public let sessionID: UInt64
        public let usesAllowed: UInt16
        public var usesMade: UInt16
        public var lastStampNumber: UInt32?
        public var nextHeartbeat: Timestamp
    }

    public enum Phase: Sendable, Equatable {
        case locked
        case unlocking(SealAuthorization, sessionID: UInt64, since: Timestamp, nonceAsked: Bool)
        /// The seal's nonce is in; the session is being made durable before the unlock is sent.
        case writingAhead(SealAuthorization, sessionID: UInt64, since: Timestamp, unlock: SealUnlock)
        case open(OpenSession)
    }

    public enum Input: Sendable, Equatable {
        /// A verified grant, and the session id the runtime took for it.
        case authorized(SealAuthorization, sessionID: UInt64)
        case deviceInfo(SealDeviceInfo)
        case unlocked(SealUnlocked)
        /// The seal answered a command with an error frame.
        case sealError(SealErrorReport)
        case stamp(SealStampReport)
        case logout
        case revoked(Set<GrantID>)
        /// LIBUSB_ERROR_NO_DEVICE or a hotplug "left": the seal is gone.
        case sealGone
        /// The link failed some other way (timeouts, bad frames).
        case linkFailed(String)
        /// The runtime stored the session ahead (`recordSessionOpened`); the unlock may go.
        case sessionRecorded(sessionID: UInt64)
        /// It could not: the seal stays locked.
        case sessionNotRecorded(sessionID: UInt64, reason: String)
        case tick
    }

    public enum Action: Sendable, Equatable {
        case send(SealMessage)
        /// Make the session durable (with its "opened" event) before the unlock goes to the
        /// seal; answered with `sessionRecorded` or `sessionNotRecorded`.
        case recordSessionOpened(SealAuthorization, sessionID: UInt64, usesAllowed: UInt16)
        /// Record use `useNumber` (1-based) with `usesRemaining` after it; photo it first when asked.
        case recordUse(SealAuthorization, sessionID: UInt64, useNumber: UInt32, usesRemaining: UInt32, photo: Bool)
        /// Manual photo mode: photos of the documents after the last stamp.
        case takePhotos(SealAuthorization, sessionID: UInt64, count: Int)
        case recordSessionClosed(SealAuthorization, sessionID: UInt64, reason: SessionCloseReason)
        case tell(String)
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .locked

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public var isOpen: Bool {
        if case .open = phase { return true }
        return false
    }

    public mutating func handle(_ input: Input, at now: Timestamp) -> [Action] {
        switch (phase, input) {
        case let (.locked, .authorized(authorization, sessionID)):
            guard authorization.usesRemaining > 0 else { return [.tell("no uses left on this application")] }
            phase = .unlocking(authorization, sessionID: sessionID, since: now, nonceAsked: true)
            return [.send(.deviceInfoRequest)]
        case (_, .authorized):
            return [.tell("the seal is busy with another session")]

        case let (.unlocking(authorization, sessionID, since, _), .deviceInfo(info)):
            guard info.serial == authorization.seal else {
                phase = .locked
                return [.tell("this seal is \(info.serial), the grant is for \(authorization.seal)")]
            }
            let uses = Self.unlockUses(authorization)
            // Valid by construction: the grant token verified (so it fits) and uses ≥ 1.
            let unlock = try! SealUnlock(grantToken: authorization.grantToken, uses: uses, nonce: info.nonce)
            // Written ahead: a stamp the seal makes is always of a session the store holds,
            // whatever becomes of this process once the seal is open.
            phase = .writingAhead(authorization, sessionID: sessionID, since: since, unlock: unlock)
            return [.recordSessionOpened(authorization, sessionID: sessionID, usesAllowed: uses)]
        case let (.writingAhead(authorization, sessionID, since, unlock), .sessionRecorded(recorded)) where recorded == sessionID:
            phase = .unlocking(authorization, sessionID: sessionID, since: since, nonceAsked: false)
            return [.send(.unlock(unlock))]
        case let (.writingAhead(_, sessionID, _, _), .sessionNotRecorded(recorded, reason)) where recorded == sessionID:
            phase = .locked
            return [.tell("the agent cannot record the session (\(reason)); the seal stays locked")]
        case let (.unlocking(authorization, sessionID, _, _), .unlocked(unlocked)):
            guard unlocked.grantID == authorization.grantID else {
                phase = .locked
                return [.send(.lock), .tell("the seal opened for grant \(unlocked.grantID), not \(authorization.grantID): locked again")]
            }
            let uses = min(unlocked.usesAllowed, Self.unlockUses(authorization))
            phase = .open(OpenSession(authorization: authorization, sessionID: sessionID, usesAllowed: uses, usesMade: 0,
                                      lastStampNumber: nil, nextHeartbeat: now))
            return [heartbeat(now)].compactMap { $0 } + [.tell("the seal is open for \(uses) use\(uses == 1 ? "" : "s")")]
        case let (.unlocking(authorization, sessionID, _, nonceAsked), .sealError(report)):
            phase = .locked
            return Self.notOpened(authorization, sessionID, written: !nonceAsked, .fault) + [.tell("the seal refused to open: \(report)")]
        case let (.unlocking(authorization, sessionID, _, nonceAsked), .sealGone):
            phase = .locked
            return Self.notOpened(authorization, sessionID, written: !nonceAsked, .sealRemoved) + [.tell("the seal did not open")]
        case let (.unlocking(authorization, sessionID, _, nonceAsked), .linkFailed):
            phase = .locked
            return Self.notOpened(authorization, sessionID, written: !nonceAsked, .fault) + [.tell("the seal did not open")]
        case let (.unlocking(authorization, sessionID, _, nonceAsked), .logout):
            phase = .locked
            return Self.notOpened(authorization, sessionID, written: !nonceAsked, .logout) + [.tell("the seal did not open")]
        case let (.unlocking(authorization, sessionID, since, nonceAsked), .tick):
            if now.milliseconds(since: since) >= configuration.unlockTimeoutMilliseconds {
                phase = .locked
                return Self.notOpened(authorization, sessionID, written: !nonceAsked, .fault) + [.tell("the seal did not answer: not opened")]
            }
            return []

        case let (.open(open), .stamp(report)):
            return stamp(report, open: open)
        case let (.open(open), .tick):
            if now >= open.authorization.claims.expires { return close(open, .grantExpired, lock: true) }
            guard now >= open.nextHeartbeat else { return [] }
            var next = open
            next.nextHeartbeat = now.adding(milliseconds: Int64(configuration.watchdogMilliseconds / 3))
            phase = .open(next)
            return [heartbeatMessage]
        case let (.open(open), .sealError(report)):
            // `locked` to a heartbeat: the seal locked itself (watchdog, unseated).
            guard report.code == .locked else { return [.tell("the seal answered: \(report)")] }
            return close(open, open.usesMade >= open.usesAllowed ? .budgetSpent : .fault, lock: false)
        case let (.open(open), .logout):
            return close(open, .logout, lock: true)
        case let (.open(open), .revoked(ids)):
            guard ids.contains(open.authorization.grantID) else { return [] }
            return close(open, .revoked, lock: true)
        case let (.open(open), .sealGone):
            return close(open, .sealRemoved, lock: false)
        case let (.open(open), .linkFailed(reason)):
            return close(open, .fault, lock: true) + [.tell("the seal link failed: \(reason)")]

        default:
            return []
        }
    }

    /// The uses an unlock asks for: what the grant still allows, as the seal's u16.
    public static func unlockUses(_ authorization: SealAuthorization) -> UInt16 {
        UInt16(min(authorization.usesRemaining, UInt32(UInt16.max)))
    }

    /// A session written ahead that never opened is closed in the store too.
    private static func notOpened(_ authorization: SealAuthorization, _ sessionID: UInt64, written: Bool,
                                  _ reason: SessionCloseReason) -> [Action] {
        written ? [.recordSessionClosed(authorization, sessionID: sessionID, reason: reason)] : []
    }

    private var heartbeatMessage: Action {
        // Valid by construction: the configured watchdog is checked when the config is read.
        .send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: configuration.watchdogMilliseconds)))
    }

    private mutating func heartbeat(_ now: Timestamp) -> Action? {
        guard case var .open(open) = phase else { return nil }
        open.nextHeartbeat = now.adding(milliseconds: Int64(configuration.watchdogMilliseconds / 3))
        phase = .open(open)
        return heartbeatMessage
    }

    private mutating func stamp(_ report: SealStampReport, open: OpenSession) -> [Action] {
        if let last = open.lastStampNumber, report.stampNumber <= last { return [] }  // a resent report
        guard report.grantID == open.authorization.grantID else {
            return [.tell("a stamp report for grant \(report.grantID) outside this session: ignored")]
        }
        var next = open
        next.usesMade += 1
        next.lastStampNumber = report.stampNumber
        phase = .open(next)
        let remainingUnderGrant = open.authorization.usesRemaining - UInt32(next.usesMade)
        var actions: [Action] = [.recordUse(
            open.authorization, sessionID: open.sessionID,
            useNumber: open.authorization.claims.allowance.sealUses - remainingUnderGrant, usesRemaining: remainingUnderGrant,
            photo: configuration.photoMode == .automatic
        )]
        if report.usesRemaining == 0 || next.usesMade >= next.usesAllowed {
            actions += close(next, .budgetSpent, lock: report.usesRemaining != 0)
        }
        return actions
    }

    private mutating func close(_ open: OpenSession, _ reason: SessionCloseReason, lock: Bool) -> [Action] {
        phase = .locked
        var actions: [Action] = lock ? [.send(.lock)] : []
        if configuration.photoMode == .manual, open.usesMade > 0, (configuration.photosAfterUse ?? 1) > 0 {
            let count = configuration.photosAfterUse ?? Int(open.usesMade)
            actions.append(.takePhotos(open.authorization, sessionID: open.sessionID, count: count))
        }
        actions.append(.recordSessionClosed(open.authorization, sessionID: open.sessionID, reason: reason))
        actions.append(.tell("the seal is locked (\(reason))"))
        return actions
    }
}
