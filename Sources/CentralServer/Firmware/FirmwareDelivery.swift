import Logging
import Protocol

/// Carries firmware images to the devices' agents over the uplink (docs/protocol-uplink.md,
/// `firmwareOffer`): offers each device its current target (one flash at a time per device),
/// streams the chunks from where the agent says it is, and records each `firmwareStatus` with
/// the pure `FirmwareRolloutFlow`. Like split parts it resumes on every connection: the offer
/// goes again, and the agent answers with the bytes it already holds.
public actor FirmwareDelivery {
    /// Chunk size on the uplink: half the largest chunk the protocol allows.
    public static let chunkSize = 256 * 1024
    /// Bytes sent between two progress writes to the store.
    static let progressStep = 1 << 20

    private let store: any ServerStore
    private let hub: UplinkHub
    private let clock: any ServerClock
    private let logger: Logger
    /// The target offered on the device's current connection.
    private var offered: [DeviceID: UInt64] = [:]
    /// The running chunk stream per target (its token, and the device); a newer `receiving`
    /// answer or a new connection of the device replaces it.
    private var streams: [UInt64: (token: UInt64, device: DeviceID)] = [:]
    private var nextToken: UInt64 = 1
    private var nextRequestID: UInt32 = 1

    public init(store: any ServerStore, hub: UplinkHub, clock: any ServerClock, logger: Logger) {
        self.store = store
        self.hub = hub
        self.clock = clock
        self.logger = logger
    }

    /// The device (re)connected: whatever was offered before is offered again.
    public func connected(_ device: DeviceID) async {
        offered[device] = nil
        streams = streams.filter { $0.value.device != device }
        await offer(to: device)
    }

    /// Offers every connected device with work its current target, unless already offered on
    /// this connection (rollouts made by the CLI, targets queued behind a finished one).
    public func sweep() async {
        do {
            let connected = Set(await hub.connectedDevices)
            for device in try await store.devicesWithActiveFirmware() where connected.contains(device) && offered[device] == nil {
                await offer(to: device)
            }
        } catch {
            logger.warning("firmware sweep failed: \(error)")
        }
    }

    /// Offers `device` its oldest target not final, if it is connected.
    public func offer(to device: DeviceID) async {
        do {
            guard let target = FirmwareRolloutFlow.current(of: try await store.activeFirmwareTargets(device: device)),
                  offered[device] != target.id,
                  let rollout = try await store.firmwareRollout(id: target.rolloutID)
            else { return }
            let image = rollout.image
            let message = try UplinkMessage.FirmwareOffer(deviceKind: image.model, version: image.version, imageSize: image.size,
                                                          imageHash: image.sha256, imageID: target.id)
            let requestID = nextRequestID
            nextRequestID = nextRequestID == UInt32.max ? 1 : nextRequestID + 1
            guard await hub.push(.firmwareOffer(message), to: device, requestID: requestID) else { return }
            offered[device] = target.id
            logger.info("firmware offered", metadata: ["device": "\(device)", "target": "\(target.id)", "version": "\(image.version)"])
        } catch {
            logger.warning("firmware offer to \(device) failed: \(error)")
        }
    }

    /// The agent's `firmwareStatus` (an answer to the offer or a push): recorded, and acted on.
    public func status(_ status: UplinkMessage.FirmwareStatus, from device: DeviceID) async throws {
        for _ in 0..<5 {
            guard let target = try await store.firmwareTarget(id: status.imageID), target.device == device else {
                logger.warning("firmwareStatus from \(device) for unknown image id \(status.imageID)")
                return
            }
            let now = clock.now()
            let outcome = FirmwareRolloutFlow.status(status, for: target, at: now)
            if let reason = outcome.ignored { logger.notice("firmwareStatus from \(device) ignored: \(reason)") }
            guard let rollout = try await store.firmwareRollout(id: target.rolloutID) else { return }
            let record = FirmwareStatusRecord(targetID: target.id, at: now, state: status.state, bytesReceived: status.bytesReceived, message: status.message)
            let audit = outcome.auditAction.map { action in
                AuditActor(actor: "device:\(device)", source: "uplink").record(
                    action, target: "firmware-rollout:\(rollout.id)",
                    details: ["device": device.value, "image_id": "\(rollout.image.id)", "model": rollout.image.model.description,
                              "version": rollout.image.version.description, "bytes_received": "\(outcome.target.bytesReceived)",
                              "message": outcome.target.message],
                    at: now
                )
            }
            let version = outcome.actions.contains(.recordVersion) ? rollout.image.version.description : nil
            guard try await store.saveFirmwareTarget(outcome.target, expected: target, status: record, deviceFirmware: version, audit: audit) else {
                continue  // the chunk stream wrote progress meanwhile: read again
            }
            for action in outcome.actions {
                switch action {
                case let .sendChunks(from):
                    let token = nextToken
                    nextToken += 1
                    streams[target.id] = (token, device)
                    let delivery = self
                    Task { await delivery.stream(outcome.target, imageID: rollout.image.id, from: from, token: token) }
                case .recordVersion:
                    logger.info("firmware confirmed", metadata: ["device": "\(device)", "version": "\(rollout.image.version)"])
                case .offerNext:
                    streams[target.id] = nil
                    if offered[device] == target.id { offered[device] = nil }
                    await offer(to: device)
                }
            }
            return
        }
        logger.warning("firmwareStatus from \(device) for target \(status.imageID) not recorded: the target kept changing")
    }

    /// Pushes the image's chunks from `offset` until the end, the link drops, or a newer
    /// stream for the same target replaces this one.
    private func stream(_ target: FirmwareRolloutTarget, imageID: UInt64, from offset: UInt64, token: UInt64) async {
        defer { if streams[target.id]?.token == token { streams[target.id] = nil } }
        do {
            guard let bytes = try await store.firmwareImageBytes(id: imageID) else { return }
            var position = Int(offset)
            var saved = position
            while position < bytes.count, streams[target.id]?.token == token {
                let end = min(bytes.count, position + Self.chunkSize)
                let chunk = try UplinkMessage.FirmwareChunk(imageID: target.id, offset: UInt64(position), data: Array(bytes[position..<end]))
                guard await hub.push(.firmwareChunk(chunk), to: target.device) else { break }
                position = end
                if position - saved >= Self.progressStep || position == bytes.count {
                    await recordSent(upTo: UInt64(position), target: target.id)
                    saved = position
                }
            }
        } catch {
            logger.warning("firmware chunks to \(target.device) failed: \(error)")
        }
    }

    /// Progress only; skipped when the agent's report changed the target meanwhile.
    private func recordSent(upTo offset: UInt64, target id: UInt64) async {
        do {
            guard let stored = try await store.firmwareTarget(id: id) else { return }
            let next = FirmwareRolloutFlow.sent(upTo: offset, stored, at: clock.now())
            guard next != stored else { return }
            _ = try await store.saveFirmwareTarget(next, expected: stored, status: nil, deviceFirmware: nil, audit: nil)
        } catch {
            logger.warning("firmware progress for target \(id) not stored: \(error)")
        }
    }
}
