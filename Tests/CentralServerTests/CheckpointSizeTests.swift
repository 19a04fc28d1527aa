import Protocol
import Testing
@testable import CentralServer

/// Issue 21: a device's checkpoint claiming a tree size beyond Int64 trapped the server when it
/// was stored (Int64(treeSize)); it is refused with the reason and recorded.
@Suite("Checkpoints: sizes beyond the store")
struct CheckpointSizeTests {
    @Test(arguments: [UInt64(Int64.max) + 1, UInt64.max])
    func aTreeSizeBeyondInt64IsRefusedWithTheReason(size: UInt64) async throws {
        let setup = try await BillServiceTests.Setup()
        let signed = try SignedCheckpoint(
            signing: try Checkpoint(deviceID: BillServiceTests.device, treeSize: size, root: MerkleTree().root, time: Fixture.now, keyID: Fixture.deviceKey.keyID),
            with: Fixture.deviceKey)
        let answer = try await setup.ingestion.checkpoint(token: signed.wireBytes(), device: setup.enrolled, now: Fixture.now)
        #expect(answer == "checkpoint refused: a tree size of \(size) is beyond \(Int64.max)")
        let recorded = try await setup.server.store.securityEvents(limit: 10)
        #expect(recorded.contains { $0.kind == "checkpoint refused" && $0.detail.contains("\(size)") })
    }
}
