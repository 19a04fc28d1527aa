import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import Protocol

/// The agent's link to the server (DESIGN.md: the agent dials out over WebSocket, TLS in
/// production): authenticates with the device key, asks for grants, forwards the event log and
/// its blobs in order, and takes what the server pushes (keys, limit grants, revocations).
/// Reconnects with bounded jittered backoff and resumes from what the server says it holds.
public actor UplinkClient: GrantAuthority, SealGrantAuthority {
    public struct Settings: Sendable {
        public var url: String
        /// PEM file of the CA the agent trusts for wss:// (only that CA).
        public var caFile: String?
        public var requestTimeout: Duration
        public var batchSize: Int
        public var checkpointEvery: Duration

        public init(url: String, caFile: String? = nil, requestTimeout: Duration = .seconds(3), batchSize: Int = 500,
                    checkpointEvery: Duration = .seconds(60)) {
            self.url = url
            self.caFile = caFile
            self.requestTimeout = requestTimeout
            self.batchSize = batchSize
            self.checkpointEvery = checkpointEvery
        }
    }

    public enum State: String, Sendable { case disconnected, connecting, connected }

    let settings: Settings
    let handshake: UplinkHandshake
    let store: AgentStore
    let clock: AgentClock
    let logger: Logger
    /// Called with each signed revocation list the server pushes.
    var onRevocationList: (@Sendable ([UInt8]) async -> Void)?
    /// Called when a released split part has arrived whole and is stored.
    var onPartStored: (@Sendable () async -> Void)?
    /// Takes firmware offers and chunks into the store and flashes them; nil: offers are not answered.
    private var firmware: FirmwareUpdates?
    /// Split parts arriving in chunks, by part id (lost on a reconnect: the server resends them whole).
    private var assemblies: [String: PartAssembly] = [:]

    public private(set) var state: State = .disconnected
    private var writer: WebSocketOutboundWriter?
    private var pending: [UInt32: CheckedContinuation<UplinkFrame?, Never>] = [:]
    private var nextRequestID: UInt32 = 1
    /// Events up to here have been sent on this connection (not necessarily acknowledged).
    private var sentUpTo: UInt64 = 0
    private var lastAckAt: ContinuousClock.Instant = .now
    private var runTask: Task<Void, Never>?
    /// The server closed a connection on `auditHeadRequest` as an unknown message type (a
    /// server built before it): not asked again until the agent restarts.
    var auditHeadsUnsupported = false
    /// The last tamper alarm logged as an event, so a server that keeps sending the same old
    /// head is one alarm in the device log, not one per connection.
    var lastAuditHeadAlarm: String?

    public init(settings: Settings, deviceID: DeviceID, deviceKey: SigningKey, store: AgentStore, clock: AgentClock,
                logger: Logger = Logger(label: "imprimatur.agent.uplink")) {
        self.settings = settings
        handshake = UplinkHandshake(deviceID: deviceID, deviceKey: deviceKey)
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    public func setRevocationHandler(_ handler: @escaping @Sendable ([UInt8]) async -> Void) {
        onRevocationList = handler
    }

    public func setPartHandler(_ handler: @escaping @Sendable () async -> Void) {
        onPartStored = handler
    }

    public func setFirmwareUpdates(_ updates: FirmwareUpdates) {
        firmware = updates
    }

    /// Pushes a firmware state change; false when not connected (the server offers the image
    /// again on the next connection and the stored state is the answer).
    @discardableResult
    public func sendFirmwareStatus(_ status: UplinkMessage.FirmwareStatus) async -> Bool {
        guard let writer else { return false }
        do {
            try await Self.send(UplinkFrame(.firmwareStatus(status)), on: writer)
            return true
        } catch {
            logger.warning("uplink: firmwareStatus for image \(status.imageID) not sent: \(error)")
            return false
        }
    }

    /// Tells the server the agent is done with a split part (it then deletes the PDF); false
    /// when not connected (the server offers the part again on the next connection, and the
    /// stored answer is sent then).
    @discardableResult
    public func sendPartDone(_ done: UplinkMessage.PartDone) async -> Bool {
        guard let writer else { return false }
        do {
            try await Self.send(UplinkFrame(.partDone(done)), on: writer)
            return true
        } catch {
            logger.warning("uplink: partDone for \(done.partID) not sent: \(error)")
            return false
        }
    }

    /// Starts connecting (and reconnecting) in the background.
    public func start() {
        guard runTask == nil else { return }
        runTask = Task { await self.runForever() }
    }

    public func stop() async {
        runTask?.cancel()
        runTask = nil
        if let writer { try? await writer.close(.normalClosure, reason: "agent stopping") }
        failPending()
    }

    private func runForever() async {
        var backoff = Backoff(baseMilliseconds: 200, capMilliseconds: 10_000)
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            state = .connecting
            do {
                let tls = try tlsConfiguration()
                _ = try await WebSocketClient.connect(
                    url: settings.url, configuration: .init(maxFrameSize: UplinkLimits.defaultMaximumFrameSize + 64),
                    tlsConfiguration: tls, logger: logger
                ) { inbound, outbound, _ in
                    try await self.serve(inbound: inbound, outbound: outbound)
                }
                backoff.reset()
            } catch {
                logger.notice("uplink: \(error)")
            }
            detach()
            let wait = backoff.next(using: &generator)
            try? await Task.sleep(for: .milliseconds(wait))
        }
    }

    private func tlsConfiguration() throws -> TLSConfiguration? {
        guard settings.url.hasPrefix("wss://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        return tls
    }

    // MARK: One connection

    /// One connection, off the actor: the inbound iterator is not Sendable, so it stays here and
    /// only decoded frames cross into the actor.
    private nonisolated func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var messages = inbound.messages(maxSize: UplinkLimits.defaultMaximumFrameSize).makeAsyncIterator()
        func nextFrame() async throws -> UplinkFrame {
            while let message = try await messages.next() {
                guard case let .binary(buffer) = message else { continue }
                return try UplinkFrame.decode(Array(buffer.readableBytesView))
            }
            throw UplinkClientError.closed
        }
        try await Self.send(await helloFrame(), on: outbound)
        let (proof, serverID, serverTime) = try handshake.answer(try await nextFrame())
        clock.observe(serverTime)
        try await Self.send(proof, on: outbound)
        let held = try handshake.result(try await nextFrame())
        logger.info("uplink: connected to \(serverID); the server holds events up to \(held ?? 0)")
        try await attach(outbound, resumeFrom: held ?? 0)
        let forwarder = Task { await self.forwardLoop() }
        // Off the read loop: the answer arrives through it.
        Task { await self.askForAuditHeads() }
        defer { forwarder.cancel() }
        while true {
            let frame = try await nextFrame()
            await handle(frame)
        }
    }

    private func helloFrame() throws -> UplinkFrame {
        let keys = (try? store.serverKeys().all.map(\.keyID)) ?? []
        return try handshake.hello(lastEventSequence: store.eventCount == 0 ? nil : store.eventCount, trustedKeyIDs: keys)
    }

    /// The server holds events up to `held`: they count as acknowledged, and sending resumes after them.
    private func attach(_ outbound: WebSocketOutboundWriter, resumeFrom held: UInt64) throws {
        if held > 0, held <= store.eventCount, held > (try store.acknowledgedSequence()) {
            try store.acknowledge(upTo: held)
        }
        writer = outbound
        sentUpTo = held
        lastAckAt = .now
        state = .connected
    }

    private func detach() {
        writer = nil
        state = .disconnected
        assemblies.removeAll()
        failPending()
    }

    private func failPending() {
        let waiting = pending
        pending.removeAll()
        for (_, continuation) in waiting { continuation.resume(returning: nil) }
    }

    private nonisolated static func send(_ frame: UplinkFrame, on outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame.encode())))
    }

    /// Sends a request and waits for the frame that answers it (nil: no answer in time or the link dropped).
    func request(_ message: UplinkMessage) async -> UplinkFrame? {
        guard let writer else { return nil }
        let id = nextRequestID
        nextRequestID = nextRequestID == UInt32.max ? 1 : nextRequestID + 1
        let timeout = Task { [settings] in
            try? await Task.sleep(for: settings.requestTimeout)
            self.expire(id)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            pending[id] = continuation
            Task {
                do { try await Self.send(UplinkFrame(message, requestID: id), on: writer) } catch { self.expire(id) }
            }
        }
    }

    private func expire(_ id: UInt32) {
        pending.removeValue(forKey: id)?.resume(returning: nil)
    }

    // MARK: Inbound

    private func handle(_ frame: UplinkFrame) async {
        if frame.isResponse, let continuation = pending.removeValue(forKey: frame.requestID) {
            continuation.resume(returning: frame)
            return
        }
        switch frame.message {
        case let .ack(ack):
            acknowledge(ack.sequence)
        case let .serverKeys(keys):
            let trusted = keys.keys.map { TrustedKey($0.publicKey, validUntil: $0.validUntil) }
            do { try store.storeServerKeys(trusted) } catch { logger.error("uplink: cannot store server keys: \(error)") }
        case let .limitUpdate(update):
            for token in update.limitGrants { storeLimitGrant(token) }
        case let .revocationList(list):
            await onRevocationList?(list.token)
        case let .auditHead(answer):
            await receive(answer)
        case let .partOffer(offer):
            await receive(offer)
        case let .partChunk(chunk):
            await receive(chunk)
        case let .firmwareOffer(offer):
            guard let firmware else {
                logger.warning("uplink: a firmware offer, but this agent does not take firmware")
                return
            }
            guard let answer = await firmware.offer(offer), let writer else { return }
            // The offer is a request; one sent without a request id is answered with a push.
            let reply = frame.requestID == 0 ? UplinkFrame(.firmwareStatus(answer)) : try? UplinkFrame.response(.firmwareStatus(answer), to: frame.requestID)
            if let reply { try? await Self.send(reply, on: writer) }
        case let .firmwareChunk(chunk):
            await firmware?.chunk(chunk)
        case let .ping(ping):
            if let writer { try? await Self.send(UplinkFrame(.pong(ping), requestID: frame.requestID), on: writer) }
        case let .error(error):
            logger.error("uplink: server error \(error.code): \(error.text)")
            noteAuditHeadRefusal(error)
        default:
            logger.warning("uplink: unexpected \(frame.message.type) from the server")
        }
    }

    // MARK: Released split parts

    /// A part already held is not taken again: one done is answered again at once (the server
    /// did not get the first answer), one waiting to print is answered when printed.
    private func receive(_ offer: UplinkMessage.PartOffer) async {
        do {
            if let held = try store.storedPart(offer.partID) {
                if let done = held.done { await sendPartDone(done) }
                return
            }
        } catch {
            logger.error("uplink: cannot look up split part \(offer.partID): \(error)")
            return
        }
        assemblies[offer.partID] = PartAssembly(offer: offer)
    }

    private func receive(_ chunk: UplinkMessage.PartChunk) async {
        guard var assembly = assemblies.removeValue(forKey: chunk.partID) else { return }  // a part already held, or no offer
        switch assembly.add(chunk) {
        case .incomplete:
            assemblies[chunk.partID] = assembly
        case let .refused(reason):
            logger.warning("uplink: split part \(chunk.partID) dropped: \(reason); the server sends it again on the next connection")
        case let .complete(pdf):
            do {
                try store.storeReceivedPart(assembly.offer, pdf: pdf, at: clock.now())
                logger.info("uplink: split part \(chunk.partID) received (\(pdf.count) bytes)")
            } catch {
                logger.error("uplink: cannot store split part \(chunk.partID): \(error)")
                return
            }
            await onPartStored?()
        }
    }

    private func acknowledge(_ sequence: UInt64) {
        guard sequence <= store.eventCount else {
            logger.error("uplink: the server acknowledged \(sequence), beyond the last event \(store.eventCount)")
            return
        }
        do { try store.acknowledge(upTo: sequence) } catch { logger.error("uplink: cannot store the ack: \(error)") }
        lastAckAt = .now
    }

    /// Keeps a pushed limit grant if it is signed by a trusted key for this device.
    private func storeLimitGrant(_ token: [UInt8]) {
        guard let grant = try? SignedLimitGrant(wireBytes: token) else { return }
        let verifier = GrantVerifier(trustedKeys: (try? store.serverKeys()) ?? TrustedKeys(), deviceID: handshake.deviceID)
        guard case .accepted = verifier.verify(limitGrantToken: token, at: clock.now(), user: grant.limitGrant.userID, revocations: RevocationState()) else {
            logger.warning("uplink: ignored a limit grant that does not verify")
            return
        }
        _ = try? store.storeLimitGrant(token: token, for: grant.limitGrant.userID)
    }

    // MARK: Grants

    public func requestGrant(_ credential: Credential, copier: ResourceID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        try await requestGrant(credential, resource: copier, type: .copier, application: nil, at: time)
    }

    /// A seal grant for an approved application: resource type seal, naming the application.
    public func requestSealGrant(_ credential: Credential, seal: ResourceID, application: ApplicationID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        try await requestGrant(credential, resource: seal, type: .seal, application: application, at: time)
    }

    private func requestGrant(_ credential: Credential, resource: ResourceID, type: ResourceType, application: ApplicationID?,
                              at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        guard state == .connected else { throw .unreachable("the uplink is \(state.rawValue)") }
        let message: UplinkMessage
        do {
            message = .grantRequest(try UplinkMessage.GrantRequest(credential: credential, resourceID: resource, resourceType: type,
                                                                   applicationID: application, deviceTime: time))
        } catch {
            throw .unreachable("the request cannot be encoded: \(error)")
        }
        guard let answer = await request(message) else { throw .unreachable("no answer within \(settings.requestTimeout)") }
        switch answer.message {
        case let .grant(grant):
            return .granted(grantToken: grant.accessGrant, limitGrantToken: grant.limitGrant)
        case let .refusal(refusal):
            return .refused(reason: refusal.reason, message: refusal.text.isEmpty ? "Refused: \(refusal.reason)." : refusal.text)
        default:
            throw .unreachable("the server answered a grant request with \(answer.message.type)")
        }
    }

    // MARK: Forwarding (SPEC A6)

    /// Sends unacknowledged events in order, then unsent blobs, then a checkpoint now and then.
    /// Nothing is marked done before the server says so; after 10 s with no ack everything
    /// unacknowledged is sent again (the server stores by (device, sequence), once).
    private func forwardLoop() async {
        var lastCheckpoint = ContinuousClock.now
        while !Task.isCancelled, state == .connected {
            let acked = (try? store.acknowledgedSequence()) ?? 0
            if sentUpTo < acked { sentUpTo = acked }
            if sentUpTo > acked && ContinuousClock.now - lastAckAt > .seconds(10) { sentUpTo = acked }
            var busy = false
            if sentUpTo < store.eventCount, sentUpTo - acked < UInt64(settings.batchSize * 4) {
                busy = await sendEvents(after: sentUpTo)
            } else {
                busy = await uploadOneBlob()
            }
            if ContinuousClock.now - lastCheckpoint > settings.checkpointEvery, store.eventCount > 0 {
                await sendCheckpoint()
                lastCheckpoint = .now
            }
            if !busy { try? await Task.sleep(for: .milliseconds(200)) }
        }
    }

    private func sendEvents(after sequence: UInt64) async -> Bool {
        guard let writer, let events = try? store.events(from: sequence + 1, limit: settings.batchSize), let first = events.first else { return false }
        do {
            let batch = try UplinkMessage.EventBatch(firstSequence: first.sequence, events: events.map { $0.wireBytes() })
            try await Self.send(UplinkFrame(.eventBatch(batch)), on: writer)
            sentUpTo = batch.lastSequence
            return true
        } catch {
            logger.warning("uplink: sending events from \(first.sequence) failed: \(error)")
            return false
        }
    }

    private func uploadOneBlob() async -> Bool {
        guard let hash = try? store.unsentBlobs(limit: 1).first, let blob = try? store.blob(hash) else { return false }
        do {
            let offer = try UplinkMessage.BlobOffer(hash: hash, totalSize: UInt64(blob.bytes.count), mediaType: blob.mediaType)
            var status = await request(.blobOffer(offer))
            while let frame = status, case let .blobStatus(blobStatus) = frame.message {
                switch blobStatus.state {
                case .complete:
                    try store.markBlobSent(hash)
                    return true
                case let .receiving(held):
                    let start = Int(held)
                    guard start < blob.bytes.count else { return false }
                    let end = min(blob.bytes.count, start + 256 * 1024)
                    let chunk = try UplinkMessage.BlobChunk(hash: hash, offset: held, data: Array(blob.bytes[start..<end]))
                    status = await request(.blobChunk(chunk))
                }
            }
        } catch {
            logger.warning("uplink: blob \(hash) not sent: \(error)")
        }
        return false
    }

    private func sendCheckpoint() async {
        guard let writer, let checkpoint = try? store.makeCheckpoint(at: clock.now()) else { return }
        do {
            try await Self.send(UplinkFrame(.checkpoint(try UplinkMessage.Checkpoint(token: checkpoint.wireBytes()))), on: writer)
        } catch {
            logger.warning("uplink: checkpoint not sent: \(error)")
        }
    }
}

public enum UplinkClientError: Error, CustomStringConvertible {
    case closed
    public var description: String { "the server closed the connection" }
}
