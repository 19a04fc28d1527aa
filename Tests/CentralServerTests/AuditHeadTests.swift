import Foundation
import Protocol
import Testing
@testable import CentralServer

/// The audit head anchored outside the server (issue 14): signed when it moves, stored, served
/// to auditors, sent only to agents that asked for it, and checked against the chain.
@Suite("Audit head anchors")
struct AuditHeadServerTests {
    /// Collects the frames the hub sends on one fake connection.
    actor Frames {
        var received: [UplinkFrame] = []
        func add(_ bytes: [UInt8]) throws { received.append(try UplinkFrame.decode(bytes)) }
    }

    @Test func signsOnlyWhenTheHeadMovedAndStoresEachHead() async throws {
        let server = try TestServer()
        let signer = AuditHeadSigner(services: server.services)
        #expect(try await signer.signIfMoved() == nil, "an empty log has nothing to anchor")

        try await server.addUser("alice")
        let first = try #require(try await signer.signIfMoved())
        let current = try #require(try await server.store.currentAuditHead())
        #expect(first.head.sequence == current.sequence)
        #expect(first.head.hash == current.hash)
        #expect(first.head.signedAt == Fixture.now)
        let key = try server.services.keyRing.keys().current
        #expect(try first.verify(publicKey: key.publicKey) == first.head)
        #expect(try await server.store.latestSignedAuditHead() == first)

        #expect(try await signer.signIfMoved() == nil, "the head did not move")

        try await server.addUser("bob")
        server.clock.advance(milliseconds: Fixture.minute)
        let second = try #require(try await signer.signIfMoved())
        #expect(second.head.sequence > first.head.sequence)
        #expect(second.head.signedAt == Fixture.now.adding(milliseconds: Fixture.minute))
        #expect(try await server.store.latestSignedAuditHead() == second)
    }

    @Test func newHeadsGoOnlyToConnectionsThatAskedForThem() async throws {
        let server = try TestServer()
        let hub = server.services.hub
        let asked = Frames(), silent = Frames(), replaced = Frames()
        let askedID = Fixture.deviceID("asked"), silentID = Fixture.deviceID("silent")
        let oldConnection = await hub.register(askedID, send: { try await replaced.add($0) })
        await hub.subscribeAuditHeads(askedID, connection: oldConnection)
        // The device reconnected: its subscription was for the old connection.
        _ = await hub.register(askedID, send: { try await asked.add($0) })
        _ = await hub.register(silentID, send: { try await silent.add($0) })
        try await server.addUser("alice")
        #expect(try await AuditHeadSigner(services: server.services).signIfMoved() != nil)
        let early = await asked.received, stale = await replaced.received
        #expect(early.isEmpty && stale.isEmpty, "only the connection that asked gets heads")

        let connection = await hub.register(askedID, send: { try await asked.add($0) })
        await hub.subscribeAuditHeads(askedID, connection: connection)
        try await server.addUser("bob")
        let signed = try #require(try await AuditHeadSigner(services: server.services).signIfMoved())
        let frames = await asked.received
        #expect(frames.count == 1)
        guard case let .auditHead(answer) = frames.first?.message else {
            Issue.record("not an auditHead frame: \(frames)")
            return
        }
        #expect(frames.first?.requestID == 0)
        #expect(answer.token == signed.wireBytes())
        let unasked = await silent.received
        #expect(unasked.isEmpty, "an agent that never asked is never sent one (it would drop the connection)")
    }

    @Test func auditorsDownloadTheNewestHeadAsAnAnchorFile() async throws {
        let server = try TestServer()
        let auditor = try await server.token(for: "audrey", roles: ["auditor"])
        let admin = try await server.token(for: "adam", roles: ["administrator"])
        let employee = try await server.token(for: "erin", roles: ["employee"])
        try await server.http { client async throws in
            #expect(try await client.call(.get, "/api/v1/audit/head", token: auditor).status == .notFound)
        }
        let signed = try #require(try await AuditHeadSigner(services: server.services).signIfMoved())
        try await server.http { client async throws in
            let answer = try await client.call(.get, "/api/v1/audit/head", token: auditor)
            #expect(answer.status == .ok)
            #expect(try AuditAnchorFile.decode(Data(answer.text.utf8)) == signed)
            #expect(try await client.call(.get, "/api/v1/audit/head", token: admin).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/audit/head", token: employee).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/audit/head").status == .unauthorized)
        }
    }
}

/// `AuditAnchorCheck`: the chain against a head kept elsewhere.
@Suite("Audit anchor check")
struct AuditAnchorCheckTests {
    static let key = try! SigningKey(seed: [UInt8](repeating: 0x31, count: 32))
    static let keys = TrustedKeys([TrustedKey(key.publicKey)])

    static func chain(_ targets: [String]) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for (index, target) in targets.enumerated() {
            let record = AuditRecord(actor: "cli:root", source: "cli", action: "user.create", target: target,
                                     at: Fixture.now.adding(milliseconds: Int64(index)))
            entries.append(AuditEntry.appending(record, after: entries.last))
        }
        return entries
    }

    static func anchor(_ entry: AuditEntry, key: SigningKey = key) -> SignedAuditHead {
        SignedAuditHead.sign(try! AuditHead(sequence: entry.sequence, hash: entry.hash, signedAt: Fixture.now, keyID: key.keyID), with: key)
    }

    @Test func theSameChainVerifiesAgainstItsAnchorAndOneThatGrewToo() {
        let entries = Self.chain(["user:a", "user:b", "user:c"])
        let anchor = Self.anchor(entries[1])
        #expect(AuditAnchorCheck.check(entries, against: anchor, keys: Self.keys) == .verified(count: 3, anchor: anchor.head))
        #expect(AuditAnchorCheck.check(Array(entries.prefix(2)), against: anchor, keys: Self.keys).isVerified)
    }

    /// What an attacker with the database does: edit an entry and recompute every hash after
    /// it. The chain is consistent again; only the anchor kept elsewhere tells.
    @Test func aRecomputedChainWithAnEditedEntryFailsAgainstTheAnchor() {
        let entries = Self.chain(["user:a", "user:b", "user:c"])
        let anchor = Self.anchor(entries[2])
        let rewritten = Self.chain(["user:a", "user:mallory", "user:c"])
        guard case .intact = AuditChain.verify(rewritten) else {
            Issue.record("the rewritten chain should be consistent on its own")
            return
        }
        let outcome = AuditAnchorCheck.check(rewritten, against: anchor, keys: Self.keys)
        #expect(outcome == .changed(found: rewritten[2].hash, anchor: anchor.head))
        #expect(outcome.description.hasPrefix("entry at sequence 3 was changed"))
    }

    @Test func aTruncatedChainFails() {
        let entries = Self.chain(["user:a", "user:b", "user:c"])
        let anchor = Self.anchor(entries[2])
        let outcome = AuditAnchorCheck.check(Array(entries.prefix(2)), against: anchor, keys: Self.keys)
        #expect(outcome == .truncated(count: 2, anchor: anchor.head))
        #expect(outcome.description.contains("shorter than the anchor (truncated)"))
        #expect(!AuditAnchorCheck.check([], against: anchor, keys: Self.keys).isVerified)
    }

    @Test func anAnchorNotSignedByThisServerFails() {
        let entries = Self.chain(["user:a"])
        let stranger = try! SigningKey(seed: [UInt8](repeating: 0x32, count: 32))
        #expect(AuditAnchorCheck.check(entries, against: Self.anchor(entries[0], key: stranger), keys: Self.keys)
            == .badAnchor(.unknownKey(stranger.keyID)))
        // The right key id, but the head was changed after signing.
        var token = Self.anchor(entries[0]).wireBytes()
        token[2 + 9] ^= 0x01
        let forged = try! SignedAuditHead.decode(token)
        #expect(AuditAnchorCheck.check(entries, against: forged, keys: Self.keys) == .badAnchor(.badSignature(Self.key.keyID)))
    }

    @Test func aChainBrokenOnItsOwnIsReportedFirst() {
        var entries = Self.chain(["user:a", "user:b"])
        let edited = AuditRecord(actor: "cli:root", source: "cli", action: "user.create", target: "user:x", at: Fixture.now)
        entries[0] = AuditEntry(sequence: 1, record: edited, previousHash: .zero, hash: entries[0].hash)
        #expect(AuditAnchorCheck.check(entries, against: Self.anchor(entries[1]), keys: Self.keys)
            == .chainBroken(AuditChain.Break(sequence: 1, kind: .changed)))
    }
}
