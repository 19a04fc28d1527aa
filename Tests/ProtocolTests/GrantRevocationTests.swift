import Testing
@testable import Protocol

@Suite("Grant revocation")
struct GrantRevocationTests {
    typealias F = GrantFixtures

    func signedList(version: UInt64, revoking ids: [GrantID] = [F.grantID], key: SigningKey = F.serverKey) throws -> SignedRevocationList {
        SignedRevocationList.sign(try F.revocationList(version: version, revoking: ids, key: key), with: key)
    }

    @Test func theFirstListIsApplied() throws {
        var state = RevocationState()
        #expect(state.version == nil)
        #expect(!state.isRevoked(F.grantID))
        try state.apply(try signedList(version: 0), trustedKeys: F.trusted)
        #expect(state.version == 0)
        #expect(state.isRevoked(F.grantID))
    }

    @Test func aNewerListReplacesTheCurrentOne() throws {
        var state = RevocationState()
        let other = GrantID(high: 5, low: 5)
        try state.apply(try signedList(version: 4), trustedKeys: F.trusted)
        try state.apply(try signedList(version: 5, revoking: [other]), trustedKeys: F.trusted)
        #expect(state.version == 5)
        #expect(state.isRevoked(other))
        // Lists replace each other whole: an id the newer list no longer names is not revoked.
        #expect(!state.isRevoked(F.grantID))
    }

    @Test(arguments: [UInt64(5), 4, 0])
    func anOlderOrEqualListIsRefused(_ version: UInt64) throws {
        var state = RevocationState()
        let current = try signedList(version: 5)
        try state.apply(current, trustedKeys: F.trusted)
        #expect(throws: RevocationRefusal.notNewer(current: 5, offered: version)) {
            try state.apply(try signedList(version: version, revoking: []), trustedKeys: F.trusted)
        }
        #expect(state.current == current)
    }

    @Test func aForgedListIsRefused() throws {
        var state = RevocationState()
        try state.apply(try signedList(version: 1), trustedKeys: F.trusted)
        // An empty list that names the trusted key but is signed by another one.
        let emptied = try F.revocationList(version: 2, revoking: [])
        let forgedSignature = F.otherKey.sign(Array("imprimatur-revocations-v1".utf8) + emptied.wireBytes())
        var token = SignedRevocationList.sign(emptied, with: F.serverKey).wireBytes()
        token.replaceSubrange(token.count - 64..<token.count, with: forgedSignature.bytes)
        #expect(throws: RevocationRefusal.badSignature(F.serverKey.keyID)) {
            try state.apply(token: token, trustedKeys: F.trusted)
        }
        #expect(state.version == 1)
        #expect(state.isRevoked(F.grantID))
    }

    @Test func aListFromAnUnknownKeyIsRefused() throws {
        var state = RevocationState()
        #expect(throws: RevocationRefusal.unknownKey(F.otherKey.keyID)) {
            try state.apply(try signedList(version: 1, key: F.otherKey), trustedKeys: F.trusted)
        }
        #expect(state.current == nil)
    }

    @Test func aListIssuedAfterItsKeyRetiredIsRefused() throws {
        var state = RevocationState()
        let retired = F.t0.adding(seconds: -1)
        let keys = TrustedKeys([TrustedKey(F.serverKey.publicKey, validUntil: retired)])
        #expect(throws: RevocationRefusal.keyExpired(F.serverKey.keyID, validUntil: retired, issuedAt: F.t0)) {
            try state.apply(try signedList(version: 1), trustedKeys: keys)
        }
    }

    @Test func aMalformedListIsRefused() throws {
        var state = RevocationState()
        let token = try signedList(version: 1).wireBytes()
        #expect(throws: RevocationRefusal.malformed(.trailingBytes(count: 1))) {
            try state.apply(token: token + [0], trustedKeys: F.trusted)
        }
    }

    @Test func aRevokedGrantIsRefusedByTheVerifier() throws {
        var state = RevocationState()
        let token = F.token(try F.copierClaims())
        let before = F.verifier.verify(grantToken: token, at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: state)
        #expect(before.acceptedClaims != nil)
        try state.apply(token: try signedList(version: 1).wireBytes(), trustedKeys: F.trusted)
        let after = F.verifier.verify(grantToken: token, at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: state)
        #expect(after == .refused(.revoked(F.grantID)))
    }

    @Test func refusalsReadAsSentences() {
        #expect(RevocationRefusal.notNewer(current: 5, offered: 4).description
            == "revocation list version 4 is not newer than the current version 5")
        #expect(RevocationRefusal.badSignature(F.serverKey.keyID).description
            == "revocation list signature does not verify under key \(F.serverKey.keyID)")
    }
}
