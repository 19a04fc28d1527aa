import Logging
import Protocol

/// Carries released split parts to the device's agent (docs/protocol-uplink.md, `partOffer`):
/// pushes each part whose PDF is still held, offer then chunks, when a part is released and
/// after every authentication of the device, until the agent answers `partDone`; then deletes
/// the PDF (size and hash stay) and records the outcome in the audit log.
///
/// One delivery runs per device at a time: two interleaved chunk streams on one connection
/// would not continue each other, and the agent drops a chunk that does not continue what it
/// holds. A request that arrives during a run makes the run go round once more.
public actor SplitReleaser {
    /// Chunk size on the uplink: half the largest chunk the protocol allows.
    public static let chunkSize = 256 * 1024

    private let store: any ServerStore
    private let hub: UplinkHub
    private let clock: any ServerClock
    private let logger: Logger
    private var running: Set<DeviceID> = []
    private var again: Set<DeviceID> = []

    public init(store: any ServerStore, hub: UplinkHub, clock: any ServerClock, logger: Logger) {
        self.store = store
        self.hub = hub
        self.clock = clock
        self.logger = logger
    }

    /// Pushes every undelivered released part of `device`, if it is connected.
    public func deliver(to device: DeviceID) async {
        guard !running.contains(device) else {
            again.insert(device)
            return
        }
        running.insert(device)
        defer { running.remove(device) }
        repeat {
            again.remove(device)
            do {
                for part in try await store.splitPartsAwaitingDelivery(device: device) {
                    guard try await send(part, to: device) else { return }
                }
            } catch {
                logger.warning("split release to \(device) failed: \(error)")
                return
            }
        } while again.contains(device)
    }

    /// Offer and chunks of one part; false when the device is not (or no longer) connected.
    private func send(_ part: SplitPartDelivery, to device: DeviceID) async throws -> Bool {
        guard let pdf = try await store.splitPartPDF(job: part.job, part: part.part) else { return true } // delivered meanwhile
        let offer = try UplinkMessage.PartOffer(
            partID: part.partID, copies: UInt16(part.copies), colour: part.colour, paper: part.paperSize,
            impressions: UInt32(part.impressions), pdfSize: UInt32(pdf.count), pdfHash: Hash32.sha256(pdf)
        )
        guard await hub.push(.partOffer(offer), to: device) else { return false }
        var offset = 0
        while offset < pdf.count {
            let end = min(pdf.count, offset + Self.chunkSize)
            let chunk = try UplinkMessage.PartChunk(partID: part.partID, offset: UInt32(offset), data: Array(pdf[offset..<end]))
            guard await hub.push(.partChunk(chunk), to: device) else { return false }
            offset = end
        }
        logger.info("split part offered", metadata: ["part": "\(part.partID)", "device": "\(device)", "bytes": "\(pdf.count)"])
        return true
    }

    /// The agent's `partDone`: deletes the PDF and records what came of it. Ignores a part that
    /// is not this device's, not released, already done, or another PDF (logged).
    public func done(_ done: UplinkMessage.PartDone, from device: DeviceID) async throws {
        guard let (jobID, index) = SplitPartDelivery.parse(partID: done.partID),
              let job = try await store.splitJob(id: jobID), job.device == device, job.parts.indices.contains(index)
        else {
            logger.warning("partDone from \(device) for unknown part \(done.partID)")
            return
        }
        let part = job.parts[index]
        var details = ["part": "\(index + 1)", "device": device.value, "pdf_sha256": part.pdfHash.description, "pdf_size": "\(part.pdfSize)",
                       "impressions_paid": "\(part.printedPages)"]
        let action: String
        switch done.outcome {
        case let .printed(sequence, impressions):
            action = "split.part-printed"
            details["copier_job"] = "\(sequence)"
            details["impressions_printed"] = "\(impressions)"
        case let .notPrinted(reason):
            action = "split.part-not-printed"
            details["reason"] = reason
        }
        let now = clock.now()
        let record = AuditActor(actor: "device:\(device)", source: "uplink").record(action, target: "split-job:\(jobID)", details: details, at: now)
        if try await store.markSplitPartDelivered(job: jobID, part: index, pdfHash: done.pdfHash, at: now, audit: record) {
            logger.info("split part done", metadata: ["part": "\(done.partID)", "outcome": "\(action)"])
        }
    }
}
