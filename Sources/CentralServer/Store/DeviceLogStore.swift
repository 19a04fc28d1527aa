import Protocol

/// A copy job the server takes from a device's copy-job event, with its price (SPEC A4, C1).
public struct IngestedJob: Hashable, Sendable {
    public let id: String
    public let deviceID: DeviceID
    public let eventSequence: UInt64
    public let job: CopyJobEvent
    /// Minor units, and the currency; nil when no price applies (no price table entry).
    public let amount: Int64
    public let currency: CurrencyCode?

    public init(deviceID: DeviceID, eventSequence: UInt64, job: CopyJobEvent, amount: Int64, currency: CurrencyCode?) {
        id = "\(deviceID.value):\(eventSequence)"
        self.deviceID = deviceID
        self.eventSequence = eventSequence
        self.job = job
        self.amount = amount
        self.currency = currency
    }
}

/// How much of a blob the server holds.
public enum BlobProgress: Hashable, Sendable {
    case receiving(bytesHeld: UInt64)
    case complete
}

/// The part of the store that holds what devices send (SPEC A6, C2). Events are appended once by
/// (device, sequence) and never changed; a batch is stored whole or not at all.
public protocol DeviceLogStore: Sendable {
    /// The last event stored for `device`.
    func eventHead(device: DeviceID) async throws -> EventIngestion.Head?
    /// The stored hashes of events `range` of `device` (for resends).
    func eventHashes(device: DeviceID, range: ClosedRange<UInt64>) async throws -> [UInt64: Hash32]
    /// Stores `events` (which continue `expectedHead`) and their jobs, charges and ledger entries
    /// in one transaction, with each seal-use event counted against its application
    /// (`SealUseCheck`: a use that should not have happened is kept, flagged and a security
    /// event) and the photos taken after stamps; throws `StoreError.conflict` if the head moved meanwhile.
    /// Returns how many of `jobs` repeat a copier job already charged (stored as events, not
    /// charged again: one charge per device, session id and copier job sequence).
    @discardableResult
    func appendEvents(device: DeviceID, expectedHead: EventIngestion.Head?, events: [Event], jobs: [IngestedJob], received: Timestamp) async throws -> Int
    func events(device: DeviceID, from: UInt64, limit: Int) async throws -> [Event]

    func storeCheckpoint(_ checkpoint: SignedCheckpoint, received: Timestamp) async throws
    func latestCheckpoint(device: DeviceID) async throws -> SignedCheckpoint?

    func blobProgress(_ hash: Hash32) async throws -> BlobProgress?
    /// Notes an offered blob (size, media type) if it is new.
    func offerBlob(_ hash: Hash32, size: UInt64, mediaType: MediaType, device: DeviceID, at: Timestamp) async throws
    /// Records that `bytesHeld` bytes are now held (and `complete` when verified).
    func setBlobProgress(_ hash: Hash32, bytesHeld: UInt64, complete: Bool) async throws
    func blobInfo(_ hash: Hash32) async throws -> (size: UInt64, mediaType: MediaType)?
}
