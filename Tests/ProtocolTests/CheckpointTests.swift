import Testing
@testable import Protocol

@Suite("Checkpoint")
struct CheckpointTests {
    let key = try! SigningKey(seed: EventFixtures.exampleKeySeed)
    let otherKey = try! SigningKey(seed: [UInt8](repeating: 7, count: 32))
    let device = EventFixtures.device
    let events = EventFixtures.chain(12)

    var tree: MerkleTree { MerkleTree(leafHashes: events.map(\.merkleLeafHash)) }

    func checkpoint(size: UInt64, in tree: MerkleTree? = nil, device: DeviceID = EventFixtures.device, keyID: KeyID? = nil) throws -> Checkpoint {
        let tree = tree ?? self.tree
        return try Checkpoint(
            deviceID: device, treeSize: size, root: try tree.root(atSize: size),
            time: EventFixtures.exampleTime.adding(seconds: Int64(size)), keyID: keyID ?? key.keyID
        )
    }

    func signed(_ checkpoint: Checkpoint) throws -> SignedCheckpoint {
        try SignedCheckpoint(signing: checkpoint, with: key)
    }

    // MARK: encoding

    @Test func layout() throws {
        let checkpoint = try checkpoint(size: 5)
        var expected = ByteWriter()
        expected.string("copier-1", .u8)
        expected.u64(5)
        expected.raw(checkpoint.root.bytes)
        expected.i64(1_700_000_005_000)
        expected.raw(key.keyID.bytes)
        #expect(checkpoint.wireBytes() == expected.bytes)
        let signed = try signed(checkpoint)
        #expect(signed.wireBytes() == expected.bytes + signed.signature.bytes)
        #expect(SignedCheckpoint.signedMessage(for: checkpoint) == Array("imprimatur-checkpoint-v1".utf8) + expected.bytes)
    }

    @Test func roundTrip() throws {
        let signed = try signed(try checkpoint(size: 7))
        let decoded = try SignedCheckpoint(wireBytes: signed.wireBytes())
        #expect(decoded == signed)
        #expect(decoded.wireBytes() == signed.wireBytes())
        #expect(try decoded.verify(devicePublicKey: key.publicKey, device: device) == signed.checkpoint)
    }

    @Test func truncatedAndTrailingBytesAreRefused() throws {
        let bytes = try signed(try checkpoint(size: 7)).wireBytes()
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try SignedCheckpoint(wireBytes: Array(bytes[..<length])) }
        }
        #expect(throws: WireError.truncated(field: "signature", needed: 1, available: 63)) {
            try SignedCheckpoint(wireBytes: Array(bytes.dropLast()))
        }
        #expect(throws: WireError.trailingBytes(count: 1)) { try SignedCheckpoint(wireBytes: bytes + [0]) }
    }

    @Test func anEmptyLogHasTheEmptyRoot() throws {
        let empty = try Checkpoint(deviceID: device, treeSize: 0, root: MerkleHash.emptyRoot, time: EventFixtures.exampleTime, keyID: key.keyID)
        #expect(try Checkpoint(wireBytes: empty.wireBytes()) == empty)
        let error = WireError.invalidValue(field: "root", reason: "a tree of 0 leaves has the empty root \(MerkleHash.emptyRoot.hex)")
        #expect(throws: error) {
            try Checkpoint(deviceID: device, treeSize: 0, root: EventFixtures.blob, time: EventFixtures.exampleTime, keyID: key.keyID)
        }
        var bytes = empty.wireBytes()
        bytes[1 + 8 + 8] ^= 1
        #expect(throws: error) { try Checkpoint(wireBytes: bytes) }
    }

    // MARK: the worked example

    @Test func theWorkedExample() throws {
        let vectors = try EventExampleVectors.load()
        #expect(Hex.encode(key.publicKey.bytes) == vectors.devicePublicKey)
        #expect(key.keyID.description == vectors.deviceKeyID)
        let tree = MerkleTree(leafHashes: [EventFixtures.exampleFirst.merkleLeafHash, EventFixtures.exampleSecond.merkleLeafHash])
        let checkpoint = try Checkpoint(deviceID: device, treeSize: 2, root: tree.root, time: EventFixtures.exampleTime.adding(seconds: 120), keyID: key.keyID)
        #expect(Hex.encode(checkpoint.wireBytes()) == vectors.checkpoint)
        // Verify the published signature rather than compare a fresh one: Ed25519 signing is
        // deterministic in BoringSSL but randomised in Apple's CryptoKit.
        let published = try SignedCheckpoint(wireBytes: try #require(Hex.decode(vectors.signedCheckpoint)))
        #expect(published.checkpoint == checkpoint)
        #expect(try published.verify(devicePublicKey: key.publicKey, device: device) == checkpoint)
    }

    // MARK: signature and device

    @Test func aForgedSignatureIsRefused() throws {
        let signed = try signed(try checkpoint(size: 6))
        var bytes = signed.signature.bytes
        bytes[10] ^= 0x01
        let forged = SignedCheckpoint(checkpoint: signed.checkpoint, signature: try Signature(bytes: bytes))
        #expect(throws: CheckpointError.badSignature) { try forged.verify(devicePublicKey: key.publicKey, device: device) }
    }

    @Test func aSignatureDoesNotCoverAnotherCheckpoint() throws {
        let signed = try signed(try checkpoint(size: 6))
        let moved = SignedCheckpoint(checkpoint: try checkpoint(size: 12), signature: signed.signature)
        #expect(throws: CheckpointError.badSignature) { try moved.verify(devicePublicKey: key.publicKey, device: device) }
    }

    @Test func aCheckpointSignedByAnotherKeyClaimingTheDeviceKeyIsRefused() throws {
        let checkpoint = try checkpoint(size: 6)
        let impostor = SignedCheckpoint(checkpoint: checkpoint, signature: otherKey.sign(SignedCheckpoint.signedMessage(for: checkpoint)))
        #expect(throws: CheckpointError.badSignature) { try impostor.verify(devicePublicKey: key.publicKey, device: device) }
    }

    @Test func aCheckpointNamingAnotherKeyIsRefused() throws {
        let signed = try SignedCheckpoint(signing: try checkpoint(size: 6, keyID: otherKey.keyID), with: otherKey)
        #expect(throws: CheckpointError.keyIDMismatch(checkpoint: otherKey.keyID, key: key.keyID)) {
            try signed.verify(devicePublicKey: key.publicKey, device: device)
        }
    }

    @Test func signingWithAKeyTheCheckpointDoesNotNameIsRefused() throws {
        #expect(throws: CheckpointError.keyIDMismatch(checkpoint: key.keyID, key: otherKey.keyID)) {
            try SignedCheckpoint(signing: try checkpoint(size: 6), with: otherKey)
        }
    }

    @Test func aCheckpointOfAnotherDeviceIsRefused() throws {
        let signed = try signed(try checkpoint(size: 6, device: EventFixtures.otherDevice))
        #expect(throws: CheckpointError.wrongDevice(expected: device, found: EventFixtures.otherDevice)) {
            try signed.verify(devicePublicKey: key.publicKey, device: device)
        }
    }

    // MARK: growth

    @Test func aGrowingLogIsAccepted() throws {
        let previous = try checkpoint(size: 5)
        for newSize: UInt64 in [5, 6, 8, 12] {
            let next = try signed(try checkpoint(size: newSize))
            let proof = try tree.consistencyProof(from: 5, to: newSize)
            #expect(try next.verify(devicePublicKey: key.publicKey, device: device, extending: previous, consistencyProof: proof) == next.checkpoint)
        }
    }

    @Test func theFirstCheckpointExtendsTheEmptyLog() throws {
        let empty = try Checkpoint(deviceID: device, treeSize: 0, root: MerkleHash.emptyRoot, time: EventFixtures.exampleTime, keyID: key.keyID)
        #expect(throws: Never.self) { try checkpoint(size: 12).verifyExtends(empty, consistencyProof: []) }
    }

    @Test func aShrinkingLogIsRefused() throws {
        let previous = try checkpoint(size: 9)
        let next = try signed(try checkpoint(size: 4))
        #expect(throws: CheckpointError.logShrank(from: 9, to: 4)) {
            try next.verify(devicePublicKey: key.publicKey, device: device, extending: previous, consistencyProof: [])
        }
    }

    @Test func aWrongProofIsRefused() throws {
        let previous = try checkpoint(size: 5)
        let next = try signed(try checkpoint(size: 12))
        let wrongProof = try tree.consistencyProof(from: 6, to: 12)
        #expect(throws: CheckpointError.notConsistent(oldSize: 5, newSize: 12)) {
            try next.verify(devicePublicKey: key.publicKey, device: device, extending: previous, consistencyProof: wrongProof)
        }
    }

    @Test func aPreviousCheckpointOfAnotherDeviceIsRefused() throws {
        let previous = try checkpoint(size: 5, device: EventFixtures.otherDevice)
        #expect(throws: CheckpointError.wrongDevice(expected: EventFixtures.otherDevice, found: device)) {
            try checkpoint(size: 12).verifyExtends(previous, consistencyProof: tree.consistencyProof(from: 5, to: 12))
        }
    }

    /// The attack the chain alone cannot see: change event 4 and re-hash every later event.
    /// The rewritten chain is internally valid, but it no longer extends what the device
    /// signed, and the original event's inclusion proof fails against the new root.
    @Test func aRewrittenHistoryIsCaughtByTheCheckpoint() throws {
        var rewritten = Array(events.prefix(3))
        rewritten.append(try Event(following: rewritten[2], time: events[3].time.adding(seconds: 1), body: events[3].body))
        for original in events[4...] {
            rewritten.append(try Event(following: rewritten.last!, time: original.time, body: original.body))
        }
        #expect(EventChain.verify(rewritten, device: device) == .ok(head: ChainAnchor(after: rewritten.last!)))

        let signedEarlier = try checkpoint(size: 6)
        let rewrittenTree = MerkleTree(leafHashes: rewritten.map(\.merkleLeafHash))
        let forgedLater = try signed(try checkpoint(size: 12, in: rewrittenTree))
        #expect(throws: CheckpointError.notConsistent(oldSize: 6, newSize: 12)) {
            try forgedLater.verify(
                devicePublicKey: key.publicKey, device: device, extending: signedEarlier,
                consistencyProof: try rewrittenTree.consistencyProof(from: 6, to: 12)
            )
        }
        let proof = try tree.inclusionProof(leafIndex: 3, treeSize: 12)
        #expect(MerkleTree.verifyInclusion(leafHash: events[3].merkleLeafHash, index: 3, treeSize: 12, proof: proof, root: tree.root))
        #expect(!MerkleTree.verifyInclusion(leafHash: events[3].merkleLeafHash, index: 3, treeSize: 12, proof: proof, root: rewrittenTree.root))
    }

    @Test func errorsDescribeThemselves() {
        #expect(CheckpointError.logShrank(from: 9, to: 4).description == "log shrank from 9 to 4 events")
        #expect(CheckpointError.badSignature.description == "checkpoint signature does not verify")
    }
}
