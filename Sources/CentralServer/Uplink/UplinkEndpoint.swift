import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Protocol

/// The server's end of the uplink (docs/protocol-uplink.md): `GET /uplink` upgraded to a
/// WebSocket carrying one uplink frame per binary message. The device proves its identity by
/// signing the server's challenge with its enrolled key; then it asks for grants, sends its
/// event log, checkpoints and blobs, and the server pushes keys and limit grants.
public struct UplinkEndpoint: Sendable {
    public let services: ServerServices
    public let ingestion: IngestionService
    public let hub: UplinkHub
    /// The handshake's deadline (and the HTTP timeouts of `httpServer`).
    public let timeouts: ConnectionTimeouts
    let limitPushes = LimitPushQueue()

    public init(services: ServerServices, dataDirectory: String, timeouts: ConnectionTimeouts = ConnectionTimeouts()) {
        self.services = services
        self.timeouts = timeouts
        ingestion = IngestionService(store: services.store, blobs: BlobFiles(dataDirectory: dataDirectory), metrics: services.metrics, logger: services.logger)
        hub = services.hub
    }

    /// Adds `/uplink` to `router`; serve it with `.http1WebSocketUpgrade(webSocketRouter: router)`.
    public func install(on router: Router<ServerRequestContext>) {
        let endpoint = self
        router.ws("/uplink") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            await endpoint.serve(inbound: inbound, outbound: outbound, peer: context.requestContext.peer, peerAddress: context.requestContext.peerAddress,
                                 channel: context.requestContext.channel)
        }
    }

    /// The HTTP server for a router that carries `/uplink` (and the REST routes): HTTP/1.1 with
    /// the WebSocket upgrade, taking WebSocket frames as large as the largest uplink frame. Each
    /// uplink frame travels as one WebSocket frame, and an event batch of a few hundred events
    /// or a 256 KiB blob chunk is far larger than the library's 16 KiB default, which closed the
    /// connection on every such frame (the agent then resent it forever). Every connection is
    /// guarded and timed (`HTTPConnectionGuard`, `timeouts`); a keep-alive connection idle for
    /// `timeouts.idle` is closed.
    public static func httpServer(_ router: Router<ServerRequestContext>, timeouts: ConnectionTimeouts = ConnectionTimeouts()) -> HTTPServerBuilder {
        .guardedHTTP1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(idleTimeout: TimeAmount(timeouts.idle)), ws: webSocketConfiguration),
            timeouts: timeouts
        )
    }

    /// The message size is bounded again, per message, by `serve` (`UplinkLimits.defaultMaximumFrameSize`).
    /// A client the server has told to close (with a reason) gets 2 s to answer before its
    /// connection is cut: the library's 15 s let every refused attacker hold a descriptor that long.
    public static let webSocketConfiguration = WebSocketServerConfiguration(maxFrameSize: UplinkLimits.defaultMaximumFrameSize + 64,
                                                                            closeTimeout: closeGrace)
    static let closeGrace = Duration.seconds(2)

    /// The connection ended under the endpoint: the client closed it, or its transport failed.
    enum Closing: Error { case closed, transport(any Error) }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, peer: String, peerAddress: String, channel: any Channel) async {
        var frames = inbound.makeAsyncIterator()
        var assembler = UplinkMessageAssembler()
        func next() async throws -> UplinkFrame {
            while true {
                let part: WebSocketDataFrame?
                do { part = try await frames.next() } catch { throw Closing.transport(error) }
                guard let part else { throw Closing.closed }
                if let frame = try assembler.feed(part.opcode, part.data, fin: part.fin) { return frame }
            }
        }
        let latch = UplinkEndingLatch()
        let logger = services.logger
        /// Says why, once (an `error` frame, then the close frame's code and reason).
        @Sendable func end(_ ending: UplinkEnding) async {
            guard latch.claim() else { return }
            logger.notice("uplink \(peer): \(ending.close): \(ending.text)")
            if let code = ending.error, let error = try? UplinkMessage.ProtocolError(code: code, text: String(ending.text.prefix(1000))),
               case let frame = UplinkFrame(.error(error)).encode() {
                try? await outbound.write(.binary(ByteBuffer(bytes: frame)))
            }
            await ending.close(outbound)
        }
        var registered: (device: DeviceID, connection: UInt64)?
        // A client that upgrades and then says nothing (or never proves who it is, or sends half
        // a frame and stops) is told so and closed at the deadline; the WebSocket's pings alone
        // kept 200 of them open (issue 21), and the deadline once cut them without a word.
        let limit = timeouts.uplinkHandshake
        let deadline = Task {
            try await Task.sleep(for: limit)
            await end(.protocolError(.notAuthenticated, "no proof of identity within \(limit)"))
            // The read loop still waits for this client's frames; one that does not answer the
            // close (it never finishes the frame it started) is cut after the same grace.
            try await Task.sleep(for: Self.closeGrace)
            try? await channel.close()
        }
        defer { deadline.cancel() }
        do {
            let authenticated = try await handshake(next: next, outbound: outbound, peer: peer, peerAddress: peerAddress)
            deadline.cancel()
            // The deadline spoke first (the proof arrived as it fired): its ending stands.
            guard !latch.hasEnded else {
                try? await channel.close()
                return
            }
            let connection = await hub.register(authenticated.id, outbound)
            registered = (authenticated.id, connection)
            try await welcome(authenticated, outbound: outbound)
            // Released parts not yet done, again on every connection (off the read loop: a
            // part's PDF can be megabytes, and the agent's frames must keep being read).
            let releaser = services.splitReleaser
            Task { await releaser.deliver(to: authenticated.id) }
            // A firmware transfer resumes: the offer goes again, the agent answers what it holds.
            let firmware = services.firmware.delivery
            Task { await firmware.connected(authenticated.id) }
            while true {
                let frame = try await next()
                // Disabled while connected: the hub cuts the connection, and a frame already on
                // its way (or on another instance) is not taken either (issue 21: a batch was
                // acknowledged and charged after the disable). Its events wait on the device.
                guard try await services.store.device(id: authenticated.id)?.state == .active else {
                    throw UplinkEnding.protocolError(.notAuthenticated, "device \(authenticated.id) is disabled; nothing more is taken from it")
                }
                try await handle(frame, from: authenticated, connection: connection, outbound: outbound)
            }
        } catch let ending as UplinkEnding {
            await end(ending)
        } catch Closing.closed {
            services.logger.info("uplink \(peer): closed by the client")
        } catch let Closing.transport(error) {
            services.logger.info("uplink \(peer): closed: \(error)")
        } catch {
            // A fault of the server's own (its store, say) still tells the device why it is cut.
            await end(.internalError("the server failed: \(error)"))
        }
        if let registered { await hub.unregister(registered.device, connection: registered.connection) }
    }

    private func send(_ message: UplinkMessage, requestID: UInt32 = 0, response: Bool = false, outbound: WebSocketOutboundWriter) async throws {
        let frame = response ? try UplinkFrame.response(message, to: requestID) : UplinkFrame(message, requestID: requestID)
        try await outbound.write(.binary(ByteBuffer(bytes: frame.encode())))
    }

    /// hello → challenge → proof → result. Refuses unknown or disabled devices and bad proofs.
    private func handshake(next: () async throws -> UplinkFrame, outbound: WebSocketOutboundWriter, peer: String, peerAddress: String) async throws -> Device {
        let store = services.store
        let hello = try await next()
        guard case let .hello(greeting) = hello.message else {
            throw UplinkEnding.protocolError(.notAuthenticated, "the first frame must be hello, not \(hello.message.type)")
        }
        guard greeting.supportedVersions.contains(ImprimaturVersion.protocolVersion) else {
            throw try await refuse(.protocolVersionUnsupported, "this server speaks protocol \(ImprimaturVersion.protocolVersion)", outbound: outbound)
        }
        guard let device = try await store.device(id: greeting.deviceID), device.state == .active else {
            throw try await refuse(.deviceNotEnrolled, "device \(greeting.deviceID) is not enrolled (or is disabled)", outbound: outbound)
        }
        var generator = SystemRandomNumberGenerator()
        let nonce = UplinkMessage.AuthNonce(using: &generator)
        let serverID = try await store.serverID()
        try await send(.challenge(UplinkMessage.Challenge(nonce: nonce, serverTime: services.clock.now(), serverID: serverID)), outbound: outbound)
        let proofFrame = try await next()
        guard case let .authProof(proof) = proofFrame.message,
              DeviceAuthentication.verify(proof, nonce: nonce, deviceID: device.id, serverID: serverID, publicKey: device.publicKey)
        else {
            // Anyone can claim an enrolled device's id: throttled by the claimant's address.
            try await services.securityGate.record(SecurityEvent(at: services.clock.now(), kind: "uplink authentication failed", deviceID: device.id,
                                                                 detail: "from \(peer)"), source: peerAddress)
            throw try await refuse(.authenticationFailed, "the proof does not verify with the enrolled key", outbound: outbound)
        }
        let head = try await store.eventHead(device: device.id)
        try await send(.authResult(.accepted(lastSequenceHeld: head?.sequence)), outbound: outbound)
        try await store.recordDeviceSeen(device.id, at: services.clock.now())
        return device
    }

    /// Sends the refusal; the ending that closes the connection after it, to throw.
    private func refuse(_ reason: UplinkMessage.RefusalReason, _ text: String, outbound: WebSocketOutboundWriter) async throws -> UplinkEnding {
        try await send(.authResult(.refused(try UplinkMessage.Refusal(reason: reason, text: text))), outbound: outbound)
        return .refused("\(reason): \(text)")
    }

    /// What a device gets after authenticating: the keys to trust, the current signed revocation
    /// list (so an agent that was offline learns of revocations, SPEC E7) and its users' limit grants.
    private func welcome(_ device: Device, outbound: WebSocketOutboundWriter) async throws {
        let now = services.clock.now()
        try await send(.serverKeys(try services.grants.uplinkServerKeys(now: now)), outbound: outbound)
        if let list = try await services.seals.revocationListMessage(now: now) {
            try await send(.revocationList(list), outbound: outbound)
        }
        for update in try await limitUpdates(device: device.id, now: now) {
            try await send(.limitUpdate(update), outbound: outbound)
        }
    }

    /// Every limit grant for `device`'s users, in messages of at most 1000.
    private func limitUpdates(device: DeviceID, now: Timestamp) async throws -> [UplinkMessage.LimitUpdate] {
        let limits = try await services.grants.limitGrants(device: device, now: now)
        return try stride(from: 0, to: limits.count, by: 1000).map { chunk in
            try UplinkMessage.LimitUpdate(limitGrants: limits[chunk..<min(limits.count, chunk + 1000)].map { $0.wireBytes() })
        }
    }

    /// Fresh limit grants for every user of every connected device (the periodic re-issue).
    func pushAllLimits(now: Timestamp) async {
        for device in await hub.connectedDevices {
            do {
                for update in try await limitUpdates(device: device, now: now) { await hub.push(.limitUpdate(update), to: device) }
            } catch {
                services.logger.warning("limit refresh for \(device) failed: \(error)")
            }
        }
    }

    /// The service that pushes limit grants on ledger changes and on a schedule; run it beside the server.
    public func limitRefresher(pollInterval: Duration = .seconds(2)) -> LimitRefresher {
        LimitRefresher(endpoint: self, pollInterval: pollInterval)
    }

    private func handle(_ frame: UplinkFrame, from device: Device, connection: UInt64, outbound: WebSocketOutboundWriter) async throws {
        let now = services.clock.now()
        switch frame.message {
        case let .grantRequest(request):
            let outcome = await services.grants.requestGrant(device: device.id, request: request, now: now)
            try await send(try outcome.uplinkMessage(), requestID: frame.requestID, response: true, outbound: outbound)
        case let .eventBatch(batch):
            switch try await ingestion.ingest(batch, device: device.id, now: now) {
            case let .acknowledged(sequence, users):
                try await send(.ack(UplinkMessage.Ack(sequence: sequence)), outbound: outbound)
                if !users.isEmpty {
                    let endpoint = self
                    await limitPushes.note(users) { users in await endpoint.pushLimits(for: users, now: endpoint.services.clock.now()) }
                }
            case let .refused(refusal):
                try await send(.error(try UplinkMessage.ProtocolError(code: .malformedFrame, text: "event batch refused: \(refusal)")), outbound: outbound)
            }
            try await services.store.recordDeviceSeen(device.id, at: now)
        case let .checkpoint(checkpoint):
            if let problem = try await ingestion.checkpoint(token: checkpoint.token, device: device, now: now) {
                try await send(.error(try UplinkMessage.ProtocolError(code: .malformedFrame, text: problem)), outbound: outbound)
            }
        case let .blobOffer(offer):
            let progress = try await ingestion.offer(offer, device: device.id, now: now)
            try await send(.blobStatus(try status(offer.hash, progress)), requestID: frame.requestID, response: true, outbound: outbound)
        case let .blobChunk(chunk):
            switch try await ingestion.chunk(chunk, device: device.id, now: now) {
            case let .success(progress):
                try await send(.blobStatus(try status(chunk.hash, progress)), requestID: frame.requestID, response: true, outbound: outbound)
            case let .failure(failure):
                // Answered with what the files hold, so the agent resumes from there.
                let held = try await ingestion.held(chunk.hash)
                services.logger.warning("uplink \(device.id): blob \(chunk.hash): \(failure)")
                try await send(.blobStatus(try status(chunk.hash, held)), requestID: frame.requestID, response: true, outbound: outbound)
            }
        case let .auditHeadRequest(request):
            try await answerAuditHeadRequest(request, requestID: frame.requestID, device: device.id, connection: connection, outbound: outbound)
        case let .partDone(done):
            try await services.splitReleaser.done(done, from: device.id)
        case let .firmwareStatus(status):
            try await services.firmware.delivery.status(status, from: device.id)
        case let .ping(ping):
            try await send(.pong(ping), requestID: frame.requestID, response: frame.requestID != 0, outbound: outbound)
        case .pong, .error:
            break
        default:
            throw UplinkEnding.protocolError(.unexpectedMessage, "a device does not send \(frame.message.type)")
        }
    }

    private func status(_ hash: Hash32, _ progress: BlobProgress) throws(WireError) -> UplinkMessage.BlobStatus {
        switch progress {
        case .complete: return try UplinkMessage.BlobStatus(hash: hash, state: .complete)
        case let .receiving(held): return try UplinkMessage.BlobStatus(hash: hash, state: .receiving(bytesHeld: held))
        }
    }

    /// New limit grants for `users` to every connected device (SPEC B3: on change).
    func pushLimits(for users: Set<UserID>, now: Timestamp) async {
        for device in await hub.connectedDevices {
            var tokens: [[UInt8]] = []
            for user in users {
                if let grant = try? await services.grants.limitGrant(user: user, device: device, now: now) { tokens.append(grant.wireBytes()) }
            }
            if !tokens.isEmpty, let update = try? UplinkMessage.LimitUpdate(limitGrants: tokens) {
                await hub.push(.limitUpdate(update), to: device)
            }
        }
    }
}
