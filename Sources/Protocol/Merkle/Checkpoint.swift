/// A device's statement of its log at a moment: "my first `treeSize` events have Merkle root
/// `root`". Signed (`SignedCheckpoint`), it lets anyone check an event's inclusion and the
/// log's append-only growth against the device's own key (SPEC C2-C3).
///
/// Leaf `i` of the tree is the event numbered `i + 1`; its leaf data is the event's canonical
/// bytes, so `treeSize` is also the sequence number of the last event covered.
public struct Checkpoint: Hashable, Sendable {
    public let deviceID: DeviceID
    public let treeSize: UInt64
    public let root: Hash32
    public let time: Timestamp
    /// The key id of the device key that signs it.
    public let keyID: KeyID

    public init(deviceID: DeviceID, treeSize: UInt64, root: Hash32, time: Timestamp, keyID: KeyID) throws(WireError) {
        guard treeSize > 0 || root == MerkleHash.emptyRoot else {
            throw .invalidValue(field: "root", reason: "a tree of 0 leaves has the empty root \(MerkleHash.emptyRoot.hex)")
        }
        self.deviceID = deviceID
        self.treeSize = treeSize
        self.root = root
        self.time = time
        self.keyID = keyID
    }

    /// Checks that this checkpoint's log extends `previous`: same device, no fewer events, and
    /// a consistency proof (RFC 9162 section 2.1.4) from the old root to this one.
    public func verifyExtends(_ previous: Checkpoint, consistencyProof: [Hash32]) throws(CheckpointError) {
        guard previous.deviceID == deviceID else {
            throw .wrongDevice(expected: previous.deviceID, found: deviceID)
        }
        guard treeSize >= previous.treeSize else {
            throw .logShrank(from: previous.treeSize, to: treeSize)
        }
        guard MerkleTree.verifyConsistency(
            oldSize: previous.treeSize, newSize: treeSize,
            oldRoot: previous.root, newRoot: root, proof: consistencyProof
        ) else {
            throw .notConsistent(oldSize: previous.treeSize, newSize: treeSize)
        }
    }
}

extension Checkpoint: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(deviceID)
        writer.u64(treeSize)
        writer.encode(root)
        writer.encode(time)
        writer.encode(keyID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            deviceID: try reader.decode(),
            treeSize: try reader.u64("tree size"),
            root: try Hash32(from: &reader, field: "root"),
            time: try reader.decode(),
            keyID: try reader.decode()
        )
    }
}
