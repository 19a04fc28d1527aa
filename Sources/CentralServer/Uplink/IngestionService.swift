import Logging
import Protocol

/// Takes what devices send over the uplink and stores it (SPEC A6, C1, C2): event batches
/// checked against the chain and stored once, copy jobs priced and charged, checkpoints
/// verified against the device key, blobs assembled by hash. Refusals are security events.
public struct IngestionService: Sendable {
    public let store: any ServerStore
    public let blobs: BlobFiles
    public let metrics: ServerMetrics
    public let logger: Logger

    public init(store: any ServerStore, blobs: BlobFiles, metrics: ServerMetrics, logger: Logger) {
        self.store = store
        self.blobs = blobs
        self.metrics = metrics
        self.logger = logger
    }

    public enum Outcome: Sendable, Equatable {
        /// Stored (or already held): acknowledge up to `sequence`; `chargedUsers` had jobs charged.
        case acknowledged(sequence: UInt64, chargedUsers: Set<UserID>)
        case refused(EventIngestion.Refusal)
    }

    public func ingest(_ batch: UplinkMessage.EventBatch, device: DeviceID, now: Timestamp) async throws -> Outcome {
        let head = try await store.eventHead(device: device)
        let stored = head?.sequence ?? 0
        let overlap = batch.firstSequence <= stored ? try await store.eventHashes(device: device, range: batch.firstSequence...min(stored, batch.lastSequence)) : [:]
        switch EventIngestion.check(batch: batch, device: device, head: head, storedHash: { overlap[$0] }) {
        case let .failure(refusal):
            logger.error("uplink: refused a batch from \(device): \(refusal)")
            try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "event chain refused", deviceID: device, detail: refusal.description))
            return .refused(refusal)
        case let .success(accepted):
            guard !accepted.newEvents.isEmpty else { return .acknowledged(sequence: accepted.head?.sequence ?? stored, chargedUsers: []) }
            let prices = try await store.prices()
            var jobs: [IngestedJob] = []
            // Once per user per batch, not per job: each store read is a round trip through the
            // store's queue, and a batch of 500 jobs by a handful of users paid 500 of them.
            var currencies: [UserID: CurrencyCode?] = [:]
            var grants: [GrantID: IssuedGrant?] = [:]
            for event in accepted.newEvents {
                guard case let .copyJob(job) = event.body else { continue }
                let issued: IssuedGrant?
                if let known = grants[job.grantID] { issued = known } else {
                    issued = try await store.issuedGrant(id: job.grantID)
                    grants[job.grantID] = issued
                }
                if let problem = GrantUseCheck.problem(grantID: job.grantID, issued: issued, device: device, user: job.userID, use: .copyJob) {
                    // Kept (it is in the device's signed chain, and refusing the batch would stall
                    // its log for good) and acknowledged, but no job, charge or ledger entry is
                    // made for a user the server never let this device serve (issue 21).
                    let detail = "copy job \(event.sequence) (session \(job.sessionID), copier job \(job.copierJobSequence), \(job.pages) pages) on \(device) for user \(job.userID) names grant \(job.grantID): \(problem); stored, not charged"
                    logger.error("uplink: \(device): \(detail)")
                    try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "copy job under unissued grant", deviceID: device, userID: job.userID, detail: detail))
                    continue
                }
                let currency: CurrencyCode?
                if let known = currencies[job.userID] {
                    currency = known
                } else {
                    if let quota = try await store.quota(userID: job.userID), case let .money(code) = quota.unit { currency = code } else { currency = nil }
                    currencies[job.userID] = currency
                }
                guard let priced = JobPricing.price(job, prices: prices, currency: currency) else {
                    // Signed into the device's chain, so stored (refusing the batch would stall
                    // its log for good) with no price, its pages counted, and put before the auditors.
                    let detail = "copy job \(event.sequence) (\(job.colourPages) colour, \(job.monoPages) mono pages, user \(job.userID)) costs more than \(JobPricing.maximumAmount) minor units; stored with no price"
                    logger.error("uplink: \(device): \(detail)")
                    try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "copy job beyond price bound", deviceID: device, detail: detail))
                    jobs.append(IngestedJob(deviceID: device, eventSequence: event.sequence, job: job, amount: 0, currency: nil))
                    continue
                }
                jobs.append(IngestedJob(deviceID: device, eventSequence: event.sequence, job: job, amount: priced.amount, currency: priced.currency))
            }
            let repeated = try await store.appendEvents(device: device, expectedHead: head, events: accepted.newEvents, jobs: jobs, received: now)
            metrics.eventsIngested.increment(by: Int64(accepted.newEvents.count))
            if repeated > 0 {
                logger.warning("uplink: \(repeated) copy job(s) from \(device) repeat a copier job already charged; stored, not charged")
                metrics.copyJobsRepeated.increment(by: Int64(repeated))
            }
            return .acknowledged(sequence: accepted.head?.sequence ?? stored, chargedUsers: Set(jobs.map(\.job.userID)))
        }
    }

    /// Verifies a device's signed checkpoint against its enrolled key and its stored events
    /// (the root must be the Merkle root of the events the server holds at that size).
    public func checkpoint(token: [UInt8], device: Device, now: Timestamp) async throws -> String? {
        let signed: SignedCheckpoint
        do {
            signed = try SignedCheckpoint(wireBytes: token)
            _ = try signed.verify(devicePublicKey: device.publicKey, device: device.id)
        } catch {
            try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "checkpoint refused", deviceID: device.id, detail: "\(error)"))
            return "checkpoint refused: \(error)"
        }
        let size = signed.checkpoint.treeSize
        // The store keeps sizes as SQLite integers (Int64); a larger claim is no log this server
        // could hold, and converting it would trap (issue 21).
        guard size <= UInt64(Int64.max) else {
            let detail = "checkpoint refused: a tree size of \(size) is beyond \(Int64.max)"
            try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "checkpoint refused", deviceID: device.id, detail: detail))
            return detail
        }
        guard size > 0, let head = try await store.eventHead(device: device.id), head.sequence >= size else {
            // The events it covers have not all arrived yet; keep it, it is checked when read.
            try await store.storeCheckpoint(signed, received: now)
            return nil
        }
        var tree = MerkleTree()
        var next: UInt64 = 1
        while next <= size {
            let events = try await store.events(device: device.id, from: next, limit: 5000)
            guard !events.isEmpty else { break }
            for event in events where event.sequence <= size { tree.append(leafData: event.wireBytes()) }
            next = events.last!.sequence + 1
        }
        guard tree.size == size, tree.root == signed.checkpoint.root else {
            let detail = "checkpoint at \(size) has a root that is not the root of the \(size) events the server holds"
            try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "checkpoint mismatch", deviceID: device.id, detail: detail))
            return detail
        }
        try await store.storeCheckpoint(signed, received: now)
        return nil
    }

    public func offer(_ offer: UplinkMessage.BlobOffer, device: DeviceID, now: Timestamp) async throws -> BlobProgress {
        switch try await store.blobProgress(offer.hash) {
        case .complete?:
            return .complete
        case .receiving?:
            return try await held(offer.hash)
        case nil:
            try await store.offerBlob(offer.hash, size: offer.totalSize, mediaType: offer.mediaType, device: device, at: now)
            return try await held(offer.hash)
        }
    }

    /// What the server holds of a blob, from its files (`BlobFiles.held`); a blob whose file
    /// is in place but whose completion the database missed (a crash between the two) is
    /// marked complete here.
    public func held(_ hash: Hash32) async throws -> BlobProgress {
        guard let info = try await store.blobInfo(hash) else { return .receiving(bytesHeld: 0) }
        if blobs.isComplete(hash) {
            if try await store.blobProgress(hash) != .complete { try await store.setBlobProgress(hash, bytesHeld: info.size, complete: true) }
            return .complete
        }
        return .receiving(bytesHeld: blobs.held(hash, size: info.size))
    }

    public func chunk(_ chunk: UplinkMessage.BlobChunk, device: DeviceID, now: Timestamp) async throws -> Result<BlobProgress, BlobFiles.Failure> {
        guard let info = try await store.blobInfo(chunk.hash) else { return .failure(.io("no offer for blob \(chunk.hash)")) }
        if case .complete = try await held(chunk.hash) { return .success(.complete) }
        let appended: (held: UInt64, complete: Bool)
        do throws(BlobFiles.Failure) {
            appended = try blobs.append(chunk.hash, offset: chunk.offset, data: chunk.data, size: info.size)
        } catch {
            if case .hashMismatch = error {
                try await store.setBlobProgress(chunk.hash, bytesHeld: 0, complete: false)
                try await store.recordSecurityEvent(SecurityEvent(at: now, kind: "blob refused", deviceID: device, detail: "\(chunk.hash): \(error)"))
            }
            return .failure(error)
        }
        try await store.setBlobProgress(chunk.hash, bytesHeld: appended.complete ? info.size : appended.held, complete: appended.complete)
        return .success(appended.complete ? .complete : .receiving(bytesHeld: appended.held))
    }
}
