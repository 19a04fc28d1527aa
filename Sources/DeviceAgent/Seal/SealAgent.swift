import Foundation
import Logging
import Protocol

/// The seal side of the agent, running: it feeds the pure `SealSession` with verified grants,
/// the seal's answers and stamp reports, and time, and carries out its actions against the
/// seal (USB), the store and the camera. An actor, so inputs are handled one at a time; the
/// blocking libusb work runs on the `SealChannel`'s own queue.
public actor SealAgent {
    public struct Settings: Sendable {
        public var deviceID: DeviceID
        public var sealID: ResourceID
        public var vendorID: UInt16
        public var productID: UInt16
        public var location: SealLocation
        public var session: SealSession.Configuration
        /// How long each read of the IN endpoint waits (stamp reports arrive unasked).
        public var pollMilliseconds: UInt32
        public var clockSkew: Duration

        public init(deviceID: DeviceID, sealID: ResourceID, vendorID: UInt16 = 0xCAFE, productID: UInt16 = 0x4010,
                    location: SealLocation, session: SealSession.Configuration = .init(), pollMilliseconds: UInt32 = 20,
                    clockSkew: Duration = GrantVerifier.defaultClockSkew) {
            self.deviceID = deviceID
            self.sealID = sealID
            self.vendorID = vendorID
            self.productID = productID
            self.location = location
            self.session = session
            self.pollMilliseconds = pollMilliseconds
            self.clockSkew = clockSkew
        }
    }

    public struct UseResult: Sendable, Equatable, Codable {
        public let unlocked: Bool
        public let uses: UInt16?
        public let message: String
    }

    public struct Status: Sendable, Equatable, Codable {
        /// locked, unlocking or open (the seal's solenoids open only in `open`).
        public let phase: String
        /// The seal is plugged in and answering (false: gone).
        public let connected: Bool
        public let seal: String
        public let user: String?
        public let application: String?
        public let usesAllowed: UInt16?
        public let usesMade: UInt16?
        /// Uses left in this session (allowed less made).
        public let usesLeft: UInt16?
    }

    let settings: Settings
    let store: AgentStore
    let camera: any Camera
    let clock: AgentClock
    let logger: Logger
    /// Asked for a seal grant when someone taps for an application.
    let authority: any SealGrantAuthority
    var channel: SealChannel?
    var session: SealSession
    var revocations = RevocationState()
    var loop: Task<Void, Never>?
    /// Sessions written ahead, by grant: a stamp report names its grant.
    var sealSessions: [GrantID: DurableSealSession] = [:]
    /// When the USB link to the seal was last opened: a tap waits out one report resend after it
    /// (`storeResentReports`).
    var connectedAt: ContinuousClock.Instant?
    /// When the seal last answered `unlocked`: for `make bench`.
    public private(set) var lastUnlockConfirmed: ContinuousClock.Instant?

    public init(settings: Settings, store: AgentStore, camera: any Camera, clock: AgentClock,
                authority: any SealGrantAuthority = NoServerAuthority(), logger: Logger = Logger(label: "imprimatur.agent.seal")) {
        self.settings = settings
        self.authority = authority
        self.store = store
        self.camera = camera
        self.clock = clock
        self.logger = logger
        session = SealSession(configuration: settings.session)
    }

    // MARK: Life cycle

    /// Loads the revocation list and starts the loop that reads the seal, sends heartbeats and
    /// (re)opens the USB link whenever the seal is plugged in.
    public func start() {
        if let token = try? store.revocationList(), let keys = try? store.serverKeys() {
            try? revocations.apply(token: token, trustedKeys: keys)
        }
        loop = Task { [weak self] in await self?.run() }
    }

    /// Locks the seal (closing an open session as an agent restart would) and stops.
    public func stop() async {
        loop?.cancel()
        loop = nil
        if case let .open(open) = session.phase {
            _ = try? await channel?.request(.lock)
            await recordClosed(open.authorization, sessionID: open.sessionID, reason: .agentRestart)
        }
        channel?.close()
        channel = nil
    }

    /// The USB channel to the seal now, nil while it is not connected (for the firmware flasher).
    public func currentChannel() -> SealChannel? { channel }

    /// Stops talking to the seal at once without locking it, as a crashed or killed agent
    /// would: the seal's own watchdog must lock it. For tests.
    public func abandon() {
        loop?.cancel()
        loop = nil
        channel?.close()
        channel = nil
    }

    private func run() async {
        await closeSessionsLeftOpen()
        while !Task.isCancelled {
            if channel == nil {
                do {
                    channel = SealChannel(link: try SealUSBLink(vendorID: settings.vendorID, productID: settings.productID))
                    connectedAt = .now
                    logger.info("seal connected")
                } catch {
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
            }
            if session.isOpen {
                await pollOnce()
            } else {
                // Locked: no reads in flight, so a tap's commands never queue behind one; a
                // status request now and then notices a seal that was unplugged.
                try? await Task.sleep(for: .milliseconds(Int64(settings.pollMilliseconds)))
                if ContinuousClock.now - lastProbe > .milliseconds(500) { await probe() }
                // Reports that came in with the probe's answer: stamps of a session of the last
                // run, sent again by the seal until acked.
                if let channel { for received in await channel.takeReports() { await handle(received) } }
            }
            _ = await feed(.tick)
        }
    }

    private var lastProbe = ContinuousClock.now

    private func probe() async {
        lastProbe = .now
        guard let channel, !session.isOpen else { return }
        do { _ = try await channel.request(.statusRequest, timeoutMilliseconds: 1000) } catch { await lost(error) }
    }

    private func pollOnce() async {
        guard let channel else { return }
        do {
            let reports = try await channel.poll(timeoutMilliseconds: settings.pollMilliseconds)
            for received in reports { await handle(received) }
        } catch {
            await lost(error)
        }
    }

    /// The link failed: the seal gone (unplugged) or unusable. The session ends; a new link is
    /// opened when the seal is back, and it is locked until a new unlock.
    private func lost(_ error: SealLinkError) async {
        channel?.close()
        channel = nil
        if error.isSealGone {
            logger.notice("the seal is gone: \(error)")
            _ = await feed(.sealGone)
        } else {
            await recordFault(code: 10, "seal link: \(error)")
            _ = await feed(.linkFailed(error.description))
        }
    }

    // MARK: Inputs from people and the server

    /// Opens the seal for a grant the server issued for `application` (through the uplink's
    /// grant request, resource type seal): verified here, then by the seal itself.
    public func use(grantToken: [UInt8], application: ApplicationID) async -> UseResult {
        let now = clock.now()
        let keys = (try? store.serverKeys()) ?? TrustedKeys()
        let verifier = GrantVerifier(trustedKeys: keys, deviceID: settings.deviceID, clockSkew: settings.clockSkew)
        let authorization: SealAuthorization
        // Uses recorded here but not yet acknowledged may be missing from the server's count
        // behind this grant: they are not bought twice (the approved count is never exceeded).
        let unacknowledged: UInt32
        do { unacknowledged = try store.unacknowledgedSealUses(application: application) } catch {
            return UseResult(unlocked: false, uses: nil, message: "The agent cannot read its own records (\(error)); the seal stays locked.")
        }
        switch SealAuthorization.verify(grantToken: grantToken, verifier: verifier, seal: settings.sealID, application: application,
                                        at: now, usedGrantIDs: store, revocations: revocations, used: GrantUsage(sealUses: unacknowledged)) {
        case let .failure(refusal):
            await recordFault(code: 11, "refused a seal grant: \(refusal)")
            return UseResult(unlocked: false, uses: nil, message: "The grant did not verify (\(refusal)); the seal stays locked.")
        case let .success(verified):
            authorization = verified
        }
        guard channel != nil else { return UseResult(unlocked: false, uses: nil, message: "The seal is not connected.") }
        let sessionID: UInt64
        do { sessionID = UInt64(try store.nextSessionTag()) } catch {
            return UseResult(unlocked: false, uses: nil, message: "The agent cannot record a session; the seal stays locked.")
        }
        do {
            try store.markGrantUsed(authorization.grantID, until: verifier.usedIDRetention(for: authorization.claims))
        } catch {
            // Unrecorded, the grant could open the seal again after a restart (F2).
            await recordFault(code: 15, "grant \(authorization.grantID) not recorded as used: \(error)")
            return UseResult(unlocked: false, uses: nil, message: "The agent cannot record the grant; the seal stays locked.")
        }
        let messages = await feed(.authorized(authorization, sessionID: sessionID))
        if case let .open(open) = session.phase, open.sessionID == sessionID {
            return UseResult(unlocked: true, uses: open.usesAllowed, message: messages.joined(separator: " "))
        }
        return UseResult(unlocked: false, uses: nil, message: messages.joined(separator: " "))
    }

    public func logout() async -> String {
        let messages = await feed(.logout)
        return messages.isEmpty ? "No seal session is open." : messages.joined(separator: " ")
    }

    /// Grants revoked at once (pushed over the uplink).
    public func revoke(_ grants: Set<GrantID>) async { _ = await feed(.revoked(grants)) }

    /// A signed revocation list (pushed over the uplink, or loaded at start): stored, and an
    /// open session it names is closed and the seal locked.
    public func applyRevocationList(token: [UInt8]) async throws(RevocationRefusal) {
        let keys = (try? store.serverKeys()) ?? TrustedKeys()
        try revocations.apply(token: token, trustedKeys: keys)
        _ = try? store.storeRevocationList(token: token)
        if let list = revocations.current?.content { _ = await feed(.revoked(Set(list.entries.map(\.grantID)))) }
    }

    public func status() -> Status {
        let connected = channel != nil
        let seal = settings.sealID.value
        switch session.phase {
        case .locked:
            return Status(phase: "locked", connected: connected, seal: seal, user: nil, application: nil,
                          usesAllowed: nil, usesMade: nil, usesLeft: nil)
        case let .unlocking(authorization, _, _, _), let .writingAhead(authorization, _, _, _):
            return Status(phase: "unlocking", connected: connected, seal: seal, user: authorization.user.value,
                          application: authorization.applicationID.value, usesAllowed: nil, usesMade: nil, usesLeft: nil)
        case let .open(open):
            return Status(phase: "open", connected: connected, seal: seal, user: open.authorization.user.value,
                          application: open.authorization.applicationID.value, usesAllowed: open.usesAllowed, usesMade: open.usesMade,
                          usesLeft: open.usesAllowed - min(open.usesMade, open.usesAllowed))
        }
    }

    // MARK: The machine

    @discardableResult
    func feed(_ input: SealSession.Input) async -> [String] {
        var pending = [input]
        var messages: [String] = []
        while !pending.isEmpty {
            let next = pending.removeFirst()
            for action in session.handle(next, at: clock.now()) {
                let (told, follow) = await perform(action)
                messages += told
                pending += follow
            }
        }
        return messages
    }

    /// Carries out one action; returns what it told the person and the inputs it produced
    /// (the seal's answers), which are fed after the current ones.
    private func perform(_ action: SealSession.Action) async -> ([String], [SealSession.Input]) {
        switch action {
        case let .send(message):
            guard let channel else { return ([], [.sealGone]) }
            do {
                let answer = try await channel.request(message)
                switch answer {
                case let .deviceInfo(info): return ([], [.deviceInfo(info)])
                case let .unlocked(unlocked):
                    lastUnlockConfirmed = .now
                    return ([], [.unlocked(unlocked)])
                case let .error(report): return ([], [.sealError(report)])
                default: return ([], [])
                }
            } catch {
                await lost(error)
                return ([], [])
            }
        case let .recordSessionOpened(authorization, sessionID, usesAllowed):
            let durable = DurableSealSession(
                id: sessionID, user: authorization.user, grantID: authorization.grantID, application: authorization.applicationID,
                grantUses: authorization.claims.allowance.sealUses, usesRemaining: authorization.usesRemaining,
                usesAllowed: usesAllowed, openedAt: clock.now())
            do {
                let event = try await store.appendSealSessionOpened(durable, resource: settings.sealID, at: clock.now())
                clock.observe(event.time)
                sealSessions[durable.grantID] = durable
                return ([], [.sessionRecorded(sessionID: sessionID)])
            } catch {
                logger.critical("could not write seal session \(sessionID) ahead: \(error)")
                return ([], [.sessionNotRecorded(sessionID: sessionID, reason: "\(error)")])
            }
        case let .recordSessionClosed(authorization, sessionID, reason):
            await recordClosed(authorization, sessionID: sessionID, reason: reason)
            return ([], [])
        case let .recordUse(authorization, sessionID, useNumber, usesRemaining, photo):
            let hash = photo ? await takePhoto(authorization, sessionID: sessionID, reason: .sealStamp) : nil
            await storeUse(sessionID: sessionID, application: authorization.applicationID, grantID: authorization.grantID,
                           user: authorization.user, number: useNumber, remaining: usesRemaining, photoHash: hash)
            return ([], [])
        case let .takePhotos(authorization, sessionID, count):
            for _ in 0..<count { _ = await takePhoto(authorization, sessionID: sessionID, reason: .afterStamps) }
            return ([], [])
        case let .tell(message):
            logger.info("seal: \(message)")
            return ([message], [])
        }
    }

    private func takePhoto(_ authorization: SealAuthorization, sessionID: UInt64, reason: PhotoReason) async -> Hash32? {
        let time = clock.now()
        do {
            let photo = try await camera.capture(reason: reason, user: authorization.user.value,
                                                 at: Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000))
            let mediaType = try MediaType(photo.mediaType)
            let hash = try store.putBlob(photo.bytes, mediaType: mediaType)
            await record(.photo(PhotoEvent(sessionID: sessionID, blobHash: hash, byteCount: UInt64(photo.bytes.count),
                                           mediaType: mediaType, reason: reason)))
            return hash
        } catch {
            await recordFault(code: 13, "no photo (\(reason)): \(error)")
            return nil
        }
    }

    private func record(_ body: EventBody) async {
        do {
            let event = try await store.append(body, at: clock.now())
            clock.observe(event.time)
        } catch {
            logger.critical("could not record \(body.kind): \(error)")
        }
    }

    /// Records a fault event; true when it is stored.
    @discardableResult
    func recordFault(code: UInt32, _ message: String) async -> Bool {
        logger.error("seal: \(message)")
        guard let fault = try? FaultEvent(component: "seal", code: code, message: String(message.prefix(1000))) else { return false }
        do {
            let event = try await store.append(.fault(fault), at: clock.now())
            clock.observe(event.time)
            return true
        } catch {
            logger.critical("could not record seal fault \(code): \(error)")
            return false
        }
    }
}
