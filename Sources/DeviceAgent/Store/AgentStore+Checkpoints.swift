import GRDB
import Protocol

extension AgentStore {
    /// Signs and stores a checkpoint over every committed event: the Merkle root of their
    /// canonical bytes, from the tree kept as events commit. Made inside a write transaction,
    /// so checkpoints are stored in the order of their sizes.
    @discardableResult
    public func makeCheckpoint(at time: Timestamp) throws(AgentStoreError) -> SignedCheckpoint {
        try write("make a checkpoint") { db in
            let (size, root) = chain.withLock { ($0.tree.size, $0.tree.root) }
            let signed: SignedCheckpoint
            do {
                let checkpoint = try Checkpoint(deviceID: deviceID, treeSize: size, root: root, time: time, keyID: deviceKey.keyID)
                signed = try SignedCheckpoint(signing: checkpoint, with: deviceKey)
                guard try SignedCheckpoint(wireBytes: signed.wireBytes()) == signed else {
                    throw AgentStoreError.invalid(what: "checkpoint", reason: "its bytes decode to another checkpoint")
                }
            } catch let error as AgentStoreError {
                throw error
            } catch {
                throw AgentStoreError.invalid(what: "checkpoint", reason: "\(error)")
            }
            try db.execute(sql: "INSERT INTO checkpoints (tree_size, key_id, bytes) VALUES (?, ?, ?)",
                           arguments: [storedBits(size), blobValue(deviceKey.keyID.bytes), blobValue(signed.wireBytes())])
            return signed
        }
    }

    /// Every stored checkpoint, oldest first.
    public func checkpoints() throws(AgentStoreError) -> [SignedCheckpoint] {
        try read("read checkpoints") { db in
            try Row.fetchAll(db, sql: "SELECT id, bytes FROM checkpoints ORDER BY id").map(Self.checkpoint(from:))
        }
    }

    /// The newest stored checkpoint; nil before the first.
    public func latestCheckpoint() throws(AgentStoreError) -> SignedCheckpoint? {
        try read("read the latest checkpoint") { db in
            try Row.fetchOne(db, sql: "SELECT id, bytes FROM checkpoints ORDER BY id DESC LIMIT 1").map(Self.checkpoint(from:))
        }
    }

    /// The inclusion proof of event `sequence` in the tree of the first `treeSize` events
    /// (RFC 9162 PATH), to check against a checkpoint of that size.
    public func inclusionProof(sequence: UInt64, treeSize: UInt64) throws(AgentStoreError) -> [Hash32] {
        guard sequence >= 1 else { throw .proof(.leafIndexOutOfRange(index: UInt64.max, treeSize: treeSize)) }
        do {
            return try chain.withLock { state throws(MerkleTreeError) in try state.tree.inclusionProof(leafIndex: sequence - 1, treeSize: treeSize) }
        } catch {
            throw .proof(error)
        }
    }

    /// The consistency proof that the first `oldSize` events are a prefix of the first `newSize`
    /// (RFC 9162 PROOF), to check one checkpoint against a later one.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws(AgentStoreError) -> [Hash32] {
        do {
            return try chain.withLock { state throws(MerkleTreeError) in try state.tree.consistencyProof(from: oldSize, to: newSize) }
        } catch {
            throw .proof(error)
        }
    }

    private static func checkpoint(from row: Row) throws -> SignedCheckpoint {
        let id = try required(row.integer(0), table: "checkpoints", key: "?", column: "id")
        let bytes = try required(row.bytes(1), table: "checkpoints", key: "\(id)", column: "bytes")
        do {
            return try SignedCheckpoint(wireBytes: bytes)
        } catch {
            throw AgentStoreError.damaged(.checkpoint(row: id, .undecodable(error)))
        }
    }
}
