import Foundation
import Testing
@testable import Protocol

/// The signed audit head (issue 14): its encoding, its signature over every field, the anchor
/// file, and the rule a keeper follows when a new head arrives.
@Suite("Audit head")
struct AuditHeadTests {
    static let serverKey = try! SigningKey(seed: [UInt8](repeating: 0x22, count: 32))
    static let otherKey = try! SigningKey(seed: [UInt8](repeating: 0x44, count: 32))
    static let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let hash = Hash32.sha256(Array("entry 42".utf8))

    static func head(_ sequence: UInt64 = 42, hash: Hash32 = hash, at time: Timestamp = time, key: SigningKey = serverKey) -> AuditHead {
        try! AuditHead(sequence: sequence, hash: hash, signedAt: time, keyID: key.keyID)
    }

    static func signed(_ head: AuditHead = head(), key: SigningKey = serverKey) -> SignedAuditHead {
        SignedAuditHead.sign(head, with: key)
    }

    @Test func encodingIsTheDocumentedLayout() {
        let bytes = Self.head().wireBytes()
        #expect(bytes.count == AuditHead.byteCount)
        #expect(bytes.count == 57)
        #expect(bytes[0] == 1)
        #expect(Array(bytes[1..<9]) == [0, 0, 0, 0, 0, 0, 0, 42])
        #expect(Array(bytes[9..<41]) == Self.hash.bytes)
        #expect(Array(bytes[41..<49]) == [0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00])
        #expect(Array(bytes[49..<57]) == Self.serverKey.keyID.bytes)
        let token = Self.signed().wireBytes()
        #expect(token.count == 2 + 57 + 64)
        #expect(Array(token[0..<2]) == [0, 57])
    }

    @Test func roundTripsAndVerifies() throws {
        let signed = Self.signed()
        let decoded = try SignedAuditHead.decode(signed.wireBytes())
        #expect(decoded == signed)
        #expect(try decoded.verify(publicKey: Self.serverKey.publicKey) == Self.head())
    }

    /// Every byte of the head is covered: change any one and the signature no longer verifies
    /// (or, for the version byte and the key id, the head is refused before it).
    @Test func everyTamperedByteIsRefused() throws {
        let token = Self.signed().wireBytes()
        for index in 2..<(2 + AuditHead.byteCount) {
            var tampered = token
            tampered[index] ^= 0x01
            var refused = false
            do { try SignedAuditHead.decode(tampered).verify(publicKey: Self.serverKey.publicKey) } catch { refused = true }
            #expect(refused, "byte \(index) changed and still accepted")
        }
    }

    @Test func tamperedFieldsNameTheProblem() throws {
        let token = Self.signed().wireBytes()
        var sequence = token
        sequence[2 + 8] ^= 0x01  // the sequence's low byte: 42 → 43
        #expect(throws: AuditHeadError.badSignature(Self.serverKey.keyID)) {
            try SignedAuditHead.decode(sequence).verify(publicKey: Self.serverKey.publicKey)
        }
        var hash = token
        hash[2 + 9] ^= 0x80
        #expect(throws: AuditHeadError.badSignature(Self.serverKey.keyID)) {
            try SignedAuditHead.decode(hash).verify(publicKey: Self.serverKey.publicKey)
        }
        var signature = token
        signature[token.count - 1] ^= 0x01
        #expect(throws: AuditHeadError.badSignature(Self.serverKey.keyID)) {
            try SignedAuditHead.decode(signature).verify(publicKey: Self.serverKey.publicKey)
        }
        var version = token
        version[2] = 2
        #expect(throws: AuditHeadError.malformed(.unknownTag(field: "audit head format version", tag: 2))) {
            try SignedAuditHead.decode(version)
        }
    }

    @Test func aHeadSignedByAnotherKeyIsRefused() throws {
        let foreign = Self.signed(Self.head(key: Self.otherKey), key: Self.otherKey)
        #expect(throws: AuditHeadError.unknownKey(Self.otherKey.keyID)) {
            try foreign.verify(trustedKeys: TrustedKeys([TrustedKey(Self.serverKey.publicKey)]))
        }
        #expect(throws: AuditHeadError.unknownKey(Self.otherKey.keyID)) { try foreign.verify(publicKey: Self.serverKey.publicKey) }
    }

    @Test func aRetiredKeyVerifiesOnlyWhatItSignedBeforeItRetired() throws {
        let keys = TrustedKeys([TrustedKey(Self.serverKey.publicKey, validUntil: Self.time)])
        #expect(try Self.signed().verify(trustedKeys: keys) == Self.head())
        let later = Self.signed(Self.head(at: Self.time.adding(seconds: 1)))
        #expect(throws: AuditHeadError.keyExpired(Self.serverKey.keyID, validUntil: Self.time, signedAt: Self.time.adding(seconds: 1))) {
            try later.verify(trustedKeys: keys)
        }
    }

    @Test func malformedTokensAreRefused() {
        let token = Self.signed().wireBytes()
        #expect(throws: AuditHeadError.self) { try SignedAuditHead.decode(Array(token.dropLast())) }
        #expect(throws: AuditHeadError.self) { try SignedAuditHead.decode(token + [0]) }
        #expect(throws: WireError.self) { try AuditHead(sequence: 0, hash: Self.hash, signedAt: Self.time, keyID: Self.serverKey.keyID) }
    }

    @Test func anchorFileRoundTrips() throws {
        let signed = Self.signed()
        let file = AuditAnchorFile(signed)
        #expect(file.sequence == 42)
        #expect(file.hash == Self.hash.hex)
        #expect(file.signedAt == "2023-11-14T22:13:20.000Z")
        #expect(try AuditAnchorFile.decode(file.json()) == signed)
    }

    @Test func anAnchorFileWhoseReadableFieldsWereEditedIsRefused() throws {
        var file = AuditAnchorFile(Self.signed())
        file.sequence = 41
        file.hash = Hash32.sha256([1]).hex
        #expect(throws: AuditAnchorFileError.fieldsDisagree(["sequence", "hash"])) { try AuditAnchorFile.decode(file.json()) }
        #expect(throws: AuditAnchorFileError.self) { try AuditAnchorFile.decode(Data("{}".utf8)) }
    }

    @Test func headsOnlyMoveForward() {
        let held = Self.head()
        #expect(AuditHeadSuccession.decide(held: nil, received: held) == .advance)
        #expect(AuditHeadSuccession.decide(held: held, received: Self.head(43, hash: Hash32.sha256([43]))) == .advance)
        #expect(AuditHeadSuccession.decide(held: held, received: Self.head(at: Self.time.adding(seconds: 60))) == .same)
        guard case let .alarm(back) = AuditHeadSuccession.decide(held: held, received: Self.head(41, hash: Hash32.sha256([41]))) else {
            Issue.record("a head that went back was taken")
            return
        }
        #expect(back.contains("went back from entry 42"))
        guard case let .alarm(rewritten) = AuditHeadSuccession.decide(held: held, received: Self.head(hash: Hash32.sha256([0]))) else {
            Issue.record("another hash for the same entry was taken")
            return
        }
        #expect(rewritten.contains("rewritten"))
    }

    @Test func messagesRoundTrip() throws {
        let token = Self.signed().wireBytes()
        for message in [UplinkMessage.auditHead(try .init(token: token)), .auditHead(try .init(token: nil)),
                        .auditHeadRequest(.init(heldSequence: 7)), .auditHeadRequest(.init(heldSequence: nil))] {
            #expect(try UplinkMessage(type: message.type, payload: message.payloadBytes()) == message)
        }
        #expect(throws: WireError.self) { try UplinkMessage.AuditHeadAnswer(token: [UInt8](repeating: 0, count: 4097)) }
    }
}
