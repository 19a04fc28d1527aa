import Testing
@testable import Protocol

/// After `keys rotate` the old key stays trusted with a valid-until: it verifies grants issued
/// up to then, until they expire, and nothing that claims a later issue time.
@Suite("Grant key rotation")
struct GrantKeyRotationTests {
    typealias F = GrantFixtures

    static let oldKey = F.otherKey
    static let newKey = F.serverKey
    static let rotatedAt = F.t0.adding(seconds: 60)
    static let keys = TrustedKeys([
        TrustedKey(oldKey.publicKey, validUntil: rotatedAt),
        TrustedKey(newKey.publicKey),
    ])
    static let verifier = GrantVerifier(trustedKeys: keys, deviceID: F.device)

    func verify(issuedBy key: SigningKey, at issuedAt: Timestamp, now: Timestamp) throws -> GrantVerdict<GrantClaims> {
        let claims = try F.copierClaims(key: key, issuedAt: issuedAt, notBefore: issuedAt,
                                        expires: issuedAt.adding(milliseconds: F.tenMinutes))
        return Self.verifier.verify(grantToken: F.token(claims, signedBy: key), at: now,
                                    usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
    }

    @Test func theOldKeyVerifiesWhatItIssuedBeforeRotation() throws {
        #expect(try verify(issuedBy: Self.oldKey, at: F.t0, now: F.t0).acceptedClaims != nil)
        #expect(try verify(issuedBy: Self.oldKey, at: Self.rotatedAt, now: Self.rotatedAt).acceptedClaims != nil)
    }

    @Test func anOldGrantStaysValidAfterRotationUntilItExpires() throws {
        let later = Self.rotatedAt.adding(seconds: 300)
        #expect(try verify(issuedBy: Self.oldKey, at: F.t0, now: later).acceptedClaims != nil)
        let afterExpiry = F.t0.adding(milliseconds: F.tenMinutes + 60_000)
        #expect(try verify(issuedBy: Self.oldKey, at: F.t0, now: afterExpiry)
            == .refused(.expired(expires: F.t0.adding(milliseconds: F.tenMinutes), now: afterExpiry)))
    }

    @Test func theOldKeyCannotIssueAfterRotation() throws {
        let issuedAt = Self.rotatedAt.adding(milliseconds: 1)
        #expect(try verify(issuedBy: Self.oldKey, at: issuedAt, now: issuedAt)
            == .refused(.keyExpired(Self.oldKey.keyID, validUntil: Self.rotatedAt, issuedAt: issuedAt)))
    }

    @Test func theNewKeyVerifiesBeforeAndAfterRotation() throws {
        #expect(try verify(issuedBy: Self.newKey, at: F.t0, now: F.t0).acceptedClaims != nil)
        let later = Self.rotatedAt.adding(seconds: 3600)
        #expect(try verify(issuedBy: Self.newKey, at: later, now: later).acceptedClaims != nil)
    }

    @Test func removingAKeyRefusesEverythingItSigned() throws {
        var keys = Self.keys
        keys.remove(Self.oldKey.keyID)
        #expect(keys[Self.oldKey.keyID] == nil)
        #expect(keys.all.map(\.keyID) == [Self.newKey.keyID])
        let verifier = GrantVerifier(trustedKeys: keys, deviceID: F.device)
        let claims = try F.copierClaims(key: Self.oldKey)
        #expect(verifier.verify(grantToken: F.token(claims, signedBy: Self.oldKey), at: F.t0,
                                usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
            == .refused(.unknownKey(Self.oldKey.keyID)))
    }

    @Test func insertingAgainUpdatesValidUntil() {
        var keys = TrustedKeys([TrustedKey(Self.oldKey.publicKey)])
        #expect(keys[Self.oldKey.keyID]?.validUntil == nil)
        keys.insert(TrustedKey(Self.oldKey.publicKey, validUntil: Self.rotatedAt))
        #expect(keys[Self.oldKey.keyID]?.validUntil == Self.rotatedAt)
        #expect(keys.all.count == 1)
    }
}
