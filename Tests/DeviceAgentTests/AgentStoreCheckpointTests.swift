import Foundation
import Protocol
import Testing
@testable import DeviceAgent

@Suite("Agent store: checkpoints and proofs")
struct AgentStoreCheckpointTests {
    @Test func aCheckpointIsSignedByTheDeviceOverEveryEvent() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let events = try await StoreFixture.appendFaults(7, to: store)
        let signed = try store.makeCheckpoint(at: StoreFixture.t0)
        let checkpoint = try signed.verify(devicePublicKey: StoreFixture.deviceKey.publicKey, device: StoreFixture.deviceID)
        #expect(checkpoint.treeSize == 7)
        #expect(checkpoint.root == MerkleTree(leafHashes: events.map(\.merkleLeafHash)).root)
        #expect(checkpoint.time == StoreFixture.t0)
        #expect(try store.checkpoints() == [signed])
        #expect(try store.latestCheckpoint() == signed)
        try store.close()
    }

    @Test func everyEventHasAnInclusionProofAgainstTheCheckpointRoot() async throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let events = try await StoreFixture.appendFaults(13, to: store)
        let checkpoint = try store.makeCheckpoint(at: StoreFixture.t0).checkpoint
        for event in events {
            let proof = try store.inclusionProof(sequence: event.sequence, treeSize: checkpoint.treeSize)
            #expect(MerkleTree.verifyInclusion(leafHash: event.merkleLeafHash, index: event.sequence - 1,
                                               treeSize: checkpoint.treeSize, proof: proof, root: checkpoint.root))
        }
        // A proof at an earlier size, against the root the tree had then.
        let proof = try store.inclusionProof(sequence: 3, treeSize: 5)
        let rootAt5 = MerkleTree(leafHashes: events.prefix(5).map(\.merkleLeafHash)).root
        #expect(MerkleTree.verifyInclusion(leafHash: events[2].merkleLeafHash, index: 2, treeSize: 5, proof: proof, root: rootAt5))
        #expect(throws: AgentStoreError.proof(.treeSizeBeyondTree(requested: 14, size: 13))) {
            try store.inclusionProof(sequence: 1, treeSize: 14)
        }
        #expect(throws: AgentStoreError.proof(.leafIndexOutOfRange(index: 5, treeSize: 5))) {
            try store.inclusionProof(sequence: 6, treeSize: 5)
        }
        try store.close()
    }

    @Test func aLaterCheckpointIsConsistentWithAnEarlierOneAcrossAReopen() async throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        try await StoreFixture.appendFaults(5, to: store)
        let early = try store.makeCheckpoint(at: StoreFixture.t0)
        try await StoreFixture.appendFaults(6, to: store, from: 6)
        let middle = try store.makeCheckpoint(at: StoreFixture.t0.adding(seconds: 1))
        try store.close()

        store = try fixture.open()  // the tree is rebuilt from the stored events
        try await StoreFixture.appendFaults(4, to: store, from: 12)
        let late = try store.makeCheckpoint(at: StoreFixture.t0.adding(seconds: 2))
        let key = StoreFixture.deviceKey.publicKey
        for (old, new) in [(early, middle), (middle, late), (early, late)] {
            let proof = try store.consistencyProof(from: old.checkpoint.treeSize, to: new.checkpoint.treeSize)
            try new.verify(devicePublicKey: key, device: StoreFixture.deviceID, extending: old.checkpoint, consistencyProof: proof)
        }
        #expect(try store.checkpoints() == [early, middle, late])
        #expect(late.checkpoint.treeSize == 15)
        try store.close()
    }

    @Test func anEmptyStoreCheckpointsTheEmptyTree() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        #expect(try store.latestCheckpoint() == nil)
        let checkpoint = try store.makeCheckpoint(at: StoreFixture.t0).checkpoint
        #expect(checkpoint.treeSize == 0)
        #expect(checkpoint.root == MerkleHash.emptyRoot)
        try store.close()
        #expect(fixture.openError() == nil)
    }

    @Test func checkpointsByAnEarlierDeviceKeyStillVerifyAfterTheKeyChanges() async throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        try await StoreFixture.appendFaults(3, to: store)
        let old = try store.makeCheckpoint(at: StoreFixture.t0)
        try store.close()

        let newKey = try SigningKey(seed: [UInt8](repeating: 7, count: 32))
        store = try fixture.open(key: newKey)
        let new = try store.makeCheckpoint(at: StoreFixture.t0.adding(seconds: 1))
        #expect(new.checkpoint.keyID == newKey.keyID)
        try new.verify(devicePublicKey: newKey.publicKey, device: StoreFixture.deviceID)
        try store.close()
        // Both keys are on record, so both checkpoints pass the open-time check with either key.
        try fixture.open().close()
        try fixture.open(key: newKey).close()
        #expect(old.checkpoint.keyID == StoreFixture.deviceKey.keyID)
    }
}
