import Logging
import Protocol

/// Anything that writes an image to a device on this box; `FirmwareFlasher` is the real one.
public protocol FirmwareFlashing: Sendable {
    func flash(image: [UInt8], to device: FirmwareTarget, progress: @escaping @Sendable (FlashProgress) -> Void) async throws(FlashError) -> FlashOutcome
}

/// The agent's side of a firmware rollout (docs/protocol-uplink.md, `firmwareOffer`): takes the
/// server's offer and chunks into the store (so a restart or a dropped link resumes from the
/// bytes held), checks the whole image against the offered SHA-256, then hands it to the
/// flasher, one flash at a time and never while a session is open, and reports every state
/// change back with `firmwareStatus`.
public actor FirmwareUpdates {
    private let store: AgentStore
    private let flasher: any FirmwareFlashing
    private let devices: Set<ResourceType>
    private let clock: AgentClock
    private let logger: Logger
    /// True while the device is in use (a session open or being opened, another flash
    /// running): flashing it waits.
    private let isBusy: @Sendable (ResourceType) async -> Bool
    private var report: (@Sendable (UplinkMessage.FirmwareStatus) async -> Void)?
    /// Image ids verified and waiting to be flashed, in order; the first is being flashed.
    private var queue: [UInt64] = []
    private var worker: Task<Void, Never>?
    /// Images whose last chunk left a gap and that were reported `receiving` for it: reported
    /// once until a chunk fits again, not once per chunk still in flight.
    private var gapReported: Set<UInt64> = []
    /// How long to wait before asking again whether a session ended, or retrying a failed link.
    let busyPoll: Duration
    /// The flasher retries link failures itself; once more here, after a pause, before giving up.
    static let linkAttempts = 2

    public init(store: AgentStore, flasher: any FirmwareFlashing, devices: Set<ResourceType>, clock: AgentClock, busyPoll: Duration = .seconds(1),
                logger: Logger, isBusy: @escaping @Sendable (ResourceType) async -> Bool) {
        self.store = store
        self.flasher = flasher
        self.devices = devices
        self.clock = clock
        self.busyPoll = busyPoll
        self.logger = logger
        self.isBusy = isBusy
    }

    /// Where state changes go (the uplink); a report that cannot go out now is answered from
    /// the store at the next offer.
    public func setReporter(_ report: @escaping @Sendable (UplinkMessage.FirmwareStatus) async -> Void) {
        self.report = report
    }

    /// After a restart: finishes what was under way (a whole image not yet checked, a flash
    /// cut off). The flasher resumes on the device or finds it untouched.
    public func resume() async {
        do {
            for download in try store.firmwareDownloads(in: [.receiving]) where download.received == download.offer.imageSize {
                await completed(download.offer)
            }
            for download in try store.firmwareDownloads(in: [.verifying, .installed, .trial]) {
                enqueue(download.imageID)
            }
        } catch {
            logger.error("firmware: cannot resume: \(error)")
        }
    }

    /// The answer to an offer: `receiving` with the bytes held (0 when new), the stored state
    /// of one already past receiving, or `failed` when this box cannot take it.
    public func offer(_ offer: UplinkMessage.FirmwareOffer) async -> UplinkMessage.FirmwareStatus? {
        do {
            switch FirmwareOfferDecision.answer(offer, held: try store.firmwareDownload(offer.imageID), devices: devices) {
            case .start:
                try store.storeFirmwareOffer(offer, at: clock.now())
                logger.info("firmware: offered \(offer.deviceKind) \(offer.version) (\(offer.imageSize) bytes) as image \(offer.imageID)")
                return try UplinkMessage.FirmwareStatus(imageID: offer.imageID, state: .receiving, bytesReceived: 0, message: "")
            case let .held(download):
                if download.state == .receiving, download.received == download.offer.imageSize { await completed(download.offer) }
                return try (try store.firmwareDownload(offer.imageID) ?? download).status()
            case let .refuse(reason):
                try store.storeFirmwareOffer(offer, state: .failed, message: reason, at: clock.now())
                logger.warning("firmware: image \(offer.imageID) refused: \(reason)")
                return try UplinkMessage.FirmwareStatus(imageID: offer.imageID, state: .failed, bytesReceived: 0, message: reason)
            }
        } catch {
            logger.error("firmware: offer \(offer.imageID) not taken: \(error)")
            return nil
        }
    }

    /// Stores a chunk that continues what is held; a chunk that does not is dropped (the server
    /// resends from the held bytes on the next offer).
    public func chunk(_ chunk: UplinkMessage.FirmwareChunk) async {
        do {
            guard let held = try store.appendFirmwareChunk(chunk, at: clock.now()) else {
                // A gap (chunks lost with a connection): tell the server where to go on from,
                // once; it restarts its stream there. A repeat of held bytes is just dropped.
                if let download = try store.firmwareDownload(chunk.imageID), download.state == .receiving, chunk.offset > download.received,
                   !gapReported.contains(chunk.imageID) {
                    gapReported.insert(chunk.imageID)
                    logger.notice("firmware: chunk \(chunk.imageID)@\(chunk.offset) leaves a gap after \(download.received) bytes; asking from there")
                    await report?(try download.status())
                }
                return
            }
            gapReported.remove(chunk.imageID)
            guard let download = try store.firmwareDownload(chunk.imageID), held == download.offer.imageSize else { return }
            await completed(download.offer)
        } catch {
            logger.error("firmware: chunk \(chunk.imageID)@\(chunk.offset) not stored: \(error)")
        }
    }

    /// The whole image is held: checked against the offer, then queued to flash.
    private func completed(_ offer: UplinkMessage.FirmwareOffer) async {
        do {
            if let problem = FirmwareOfferDecision.check(try store.firmwareImageBytes(offer.imageID), against: offer) {
                // Final: the bytes are dropped and the device never sees them; a new rollout sends them again.
                await set(offer.imageID, .failed, problem)
                return
            }
            await set(offer.imageID, .verifying, "the image arrived whole; waiting to flash the \(offer.deviceKind)")
            enqueue(offer.imageID)
        } catch {
            logger.error("firmware: image \(offer.imageID) not checked: \(error)")
        }
    }

    private func enqueue(_ imageID: UInt64) {
        guard !queue.contains(imageID) else { return }
        queue.append(imageID)
        guard worker == nil else { return }
        worker = Task { await self.work() }
    }

    /// Flashes the queued images one after another.
    private func work() async {
        while let imageID = queue.first {
            await install(imageID)
            queue.removeFirst()
        }
        worker = nil
    }

    private func install(_ imageID: UInt64) async {
        guard let download = try? store.firmwareDownload(imageID), !download.isFinal else { return }
        let offer = download.offer
        let target: FirmwareTarget = offer.deviceKind == .seal ? .seal : .copier
        let image: [UInt8]
        do { image = try store.firmwareImageBytes(imageID) } catch {
            await set(imageID, .failed, "the stored image cannot be read: \(error)")
            return
        }
        var linkFailures = 0
        while !Task.isCancelled {
            if await isBusy(offer.deviceKind) {
                try? await Task.sleep(for: busyPoll)
                continue
            }
            // Progress arrives on the flasher's side; a stream keeps the reports in order and
            // all of them before the final one.
            let (steps, sink) = AsyncStream.makeStream(of: FlashProgress.self)
            let reporter = Task { for await step in steps { await self.progress(step, imageID: imageID) } }
            let result: Result<FlashOutcome, FlashError>
            do { result = .success(try await flasher.flash(image: image, to: target) { sink.yield($0) }) } catch { result = .failure(error) }
            sink.finish()
            await reporter.value
            switch result {
            case let .success(outcome):
                let (state, message) = FirmwareOfferDecision.final(outcome, offered: offer.version)
                await set(imageID, state, message)
                return
            case .failure(.sessionActive), .failure(.busy):
                try? await Task.sleep(for: busyPoll)
            case let .failure(.link(detail)) where linkFailures + 1 < Self.linkAttempts:
                linkFailures += 1
                logger.warning("firmware: flashing the \(target) failed (\(detail)); retry \(linkFailures) of \(Self.linkAttempts - 1)")
                try? await Task.sleep(for: busyPoll * (1 << linkFailures))
            case let .failure(error):
                await set(imageID, .failed, "\(error)")
                return
            }
        }
    }

    private func progress(_ step: FlashProgress, imageID: UInt64) async {
        switch step {
        case .transferring, .verifying:
            break
        case let .trial(version):
            // Booting on trial means the device wrote the image to its spare slot and took it.
            await set(imageID, .installed, "the device wrote \(version) to its spare slot")
            await set(imageID, .trial, "the device runs \(version) on trial")
        }
    }

    /// Stores a state, then reports it (the store first: the answer to a later offer).
    private func set(_ imageID: UInt64, _ state: UplinkMessage.FirmwareState, _ message: String) async {
        do {
            guard let before = try store.firmwareDownload(imageID), !before.isFinal else { return }
            let text = Self.truncated(message, to: Int(UplinkLimits.textLength))
            try store.setFirmwareState(imageID, state, message: text, at: clock.now())
            logger.info("firmware: image \(imageID) \(state): \(text)")
            await report?(try UplinkMessage.FirmwareStatus(imageID: imageID, state: state, bytesReceived: before.received, message: text))
        } catch {
            logger.error("firmware: image \(imageID) \(state) not stored: \(error)")
        }
    }
}

extension FirmwareUpdates {
    /// `text` cut to at most `limit` UTF-8 bytes, on a character boundary.
    static func truncated(_ text: String, to limit: Int) -> String {
        var result = text
        while result.utf8.count > limit { result.removeLast() }
        return result
    }
}

extension FirmwareFlasher: FirmwareFlashing {}
