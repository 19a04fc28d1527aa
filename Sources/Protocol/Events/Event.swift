/// One entry in a device's tamper-evident log (SPEC A4-A6, C1, E4).
///
/// Each device numbers its events 1, 2, 3, ... with no gaps, and each event carries the hash of
/// the one before it, so the events form a hash chain: changing, removing, reordering or
/// inserting an event breaks the chain where it happened (`EventChain.verify`). The same
/// canonical bytes are the leaves of the device's Merkle tree (`MerkleTree`), whose signed
/// root (`SignedCheckpoint`) lets a bill be proved against the device's own data.
public struct Event: Hashable, Sendable {
    /// The domain-separation label hashed in front of an event's canonical bytes.
    public static let hashLabel = "imprimatur-event-v1"

    public let deviceID: DeviceID
    /// 1 for a device's first event, then one more for each event, never skipping.
    public let sequence: UInt64
    /// `hash` of the event numbered `sequence - 1`; `Hash32.zero` for sequence 1.
    public let previousHash: Hash32
    /// When the agent recorded the event.
    public let time: Timestamp
    public let body: EventBody

    public init(deviceID: DeviceID, sequence: UInt64, previousHash: Hash32, time: Timestamp, body: EventBody) throws(WireError) {
        try FieldRules.checkAtLeastOne(sequence, "sequence")
        guard sequence > 1 || previousHash == .zero else {
            throw .invalidValue(field: "previous hash", reason: "must be all zero for sequence 1")
        }
        self.deviceID = deviceID
        self.sequence = sequence
        self.previousHash = previousHash
        self.time = time
        self.body = body
    }

    /// The event that follows `previous` in the same device's chain.
    public init(following previous: Event, time: Timestamp, body: EventBody) throws(WireError) {
        guard previous.sequence < UInt64.max else {
            throw .invalidValue(field: "sequence", reason: "the chain is full")
        }
        try self.init(deviceID: previous.deviceID, sequence: previous.sequence + 1, previousHash: previous.hash, time: time, body: body)
    }

    /// SHA-256 over the ASCII label `imprimatur-event-v1` followed by the canonical bytes. The
    /// bytes include `previousHash`, so each hash commits to the whole chain before it.
    public var hash: Hash32 { Self.hash(canonicalBytes: wireBytes()) }

    /// The event's leaf hash in its device's Merkle tree: the leaf data is the canonical bytes.
    public var merkleLeafHash: Hash32 { MerkleHash.leaf(wireBytes()) }

    /// The event hash of already-encoded canonical event bytes.
    public static func hash(canonicalBytes: [UInt8]) -> Hash32 {
        Hash32.sha256(Array(hashLabel.utf8) + canonicalBytes)
    }
}

extension Event: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(deviceID)
        writer.u64(sequence)
        writer.encode(previousHash)
        writer.encode(time)
        writer.encode(body)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            deviceID: try reader.decode(),
            sequence: try reader.u64("sequence"),
            previousHash: try Hash32(from: &reader, field: "previous hash"),
            time: try reader.decode(),
            body: try reader.decode()
        )
    }
}
