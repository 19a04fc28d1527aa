import Foundation
import Protocol
import Testing
@testable import DeviceAgent

/// The server's audit head kept in the agent's store (issue 14): durable across a reopen, and
/// only ever replaced by a newer one.
@Suite("Agent store: audit head")
struct AgentStoreAuditHeadTests {
    static let serverKey = try! SigningKey(seed: [UInt8](repeating: 0x52, count: 32))

    static func signed(_ sequence: UInt64, _ hashSeed: UInt8) -> SignedAuditHead {
        SignedAuditHead.sign(try! AuditHead(sequence: sequence, hash: Hash32.sha256([hashSeed]), signedAt: StoreFixture.t0,
                                            keyID: serverKey.keyID), with: serverKey)
    }

    @Test func keepsTheNewestHeadAcrossAReopenAndRefusesOlderOrDifferentOnes() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        #expect(try store.auditHead() == nil)
        #expect(try store.keepAuditHead(Self.signed(5, 5), at: StoreFixture.t0) == .advance)
        #expect(try store.keepAuditHead(Self.signed(9, 9), at: StoreFixture.t0) == .advance)
        try store.close()

        store = try fixture.open()
        #expect(try store.auditHead()?.head == Self.signed(9, 9).head)
        #expect(try store.keepAuditHead(Self.signed(9, 9), at: StoreFixture.t0) == .same)
        guard case .alarm = try store.keepAuditHead(Self.signed(5, 5), at: StoreFixture.t0) else {
            Issue.record("an older head was taken")
            return
        }
        guard case .alarm = try store.keepAuditHead(Self.signed(9, 0), at: StoreFixture.t0) else {
            Issue.record("another hash for the kept entry was taken")
            return
        }
        #expect(try store.auditHead()?.head == Self.signed(9, 9).head, "the kept head stays")
        try store.close()
    }
}
