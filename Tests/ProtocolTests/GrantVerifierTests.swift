import Testing
@testable import Protocol

/// One row per refusal reason, each building exactly that situation, plus the accepted case.
@Suite("Grant verifier")
struct GrantVerifierTests {
    typealias F = GrantFixtures

    /// Everything one verification takes, with the fixtures' defaults.
    struct Situation {
        var verifier = F.verifier
        var token: [UInt8]
        var now = F.t0.adding(seconds: 30)
        var resource: ResourceID? = F.copier
        var user: UserID? = F.user
        var used: Set<GrantID> = []
        var revocations = RevocationState()
        var usage: GrantUsage? = GrantUsage(pages: 10, copies: 2)

        init(_ claims: GrantClaims, signedBy key: SigningKey = F.serverKey) {
            token = F.token(claims, signedBy: key)
        }

        func verdict() -> GrantVerdict<GrantClaims> {
            verifier.verify(grantToken: token, at: now, resource: resource, user: user,
                            usedGrantIDs: used, revocations: revocations, usage: usage)
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let build: @Sendable () throws -> (Situation, GrantVerdict<GrantClaims>)
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "accepted") {
            let claims = try F.copierClaims()
            return (Situation(claims), .accepted(claims))
        },
        Row(name: "accepted without optional context") {
            let claims = try F.copierClaims()
            var situation = Situation(claims)
            situation.resource = nil
            situation.user = nil
            situation.usage = nil
            return (situation, .accepted(claims))
        },
        Row(name: "malformed") {
            var situation = Situation(try F.copierClaims())
            situation.token.removeLast()
            return (situation, .refused(.malformed(.truncated(field: "signature", needed: 1, available: 63))))
        },
        Row(name: "unknown key") {
            let situation = Situation(try F.copierClaims(key: F.otherKey), signedBy: F.otherKey)
            return (situation, .refused(.unknownKey(F.otherKey.keyID)))
        },
        Row(name: "bad signature: a flipped signature bit") {
            var situation = Situation(try F.copierClaims())
            situation.token[situation.token.count - 1] ^= 0x01
            return (situation, .refused(.badSignature(F.serverKey.keyID)))
        },
        Row(name: "bad signature: claims altered after signing") {
            var situation = Situation(try F.copierClaims())
            situation.token[2 + 56] = 0xff // the low byte of the page allowance
            return (situation, .refused(.badSignature(F.serverKey.keyID)))
        },
        Row(name: "key expired") {
            var situation = Situation(try F.copierClaims())
            let validUntil = F.t0.adding(milliseconds: -1)
            situation.verifier = GrantVerifier(
                trustedKeys: TrustedKeys([TrustedKey(F.serverKey.publicKey, validUntil: validUntil)]), deviceID: F.device
            )
            return (situation, .refused(.keyExpired(F.serverKey.keyID, validUntil: validUntil, issuedAt: F.t0)))
        },
        Row(name: "wrong device") {
            let situation = Situation(try F.copierClaims(device: F.otherDevice))
            return (situation, .refused(.wrongDevice(expected: F.device, granted: F.otherDevice)))
        },
        Row(name: "wrong user") {
            let situation = Situation(try F.copierClaims(subject: F.otherUser))
            return (situation, .refused(.wrongUser(expected: F.user, granted: F.otherUser)))
        },
        Row(name: "wrong resource") {
            var situation = Situation(try F.copierClaims())
            situation.resource = F.otherCopier
            return (situation, .refused(.wrongResource(expected: F.otherCopier, granted: F.copier)))
        },
        Row(name: "not yet valid") {
            let notBefore = F.t0.adding(seconds: 600)
            let situation = Situation(try F.copierClaims(notBefore: notBefore, expires: notBefore.adding(seconds: 600)))
            return (situation, .refused(.notYetValid(validFrom: notBefore, now: F.t0.adding(seconds: 30))))
        },
        Row(name: "expired") {
            var situation = Situation(try F.copierClaims())
            situation.now = F.t0.adding(seconds: 3600)
            return (situation, .refused(.expired(expires: F.t0.adding(milliseconds: F.tenMinutes), now: situation.now)))
        },
        Row(name: "replayed") {
            var situation = Situation(try F.copierClaims())
            situation.used = [GrantID(high: 9, low: 9), F.grantID]
            return (situation, .refused(.replayed(F.grantID)))
        },
        Row(name: "revoked") {
            var situation = Situation(try F.copierClaims())
            let list = SignedRevocationList.sign(try F.revocationList(version: 1, revoking: [F.grantID]), with: F.serverKey)
            try situation.revocations.apply(list, trustedKeys: F.trusted)
            return (situation, .refused(.revoked(F.grantID)))
        },
        Row(name: "exhausted: every page used") {
            var situation = Situation(try F.copierClaims())
            situation.usage = GrantUsage(pages: 50, copies: 3)
            return (situation, .refused(.exhausted(F.grantID)))
        },
        Row(name: "exhausted: every copy used") {
            var situation = Situation(try F.copierClaims())
            situation.usage = GrantUsage(pages: 12, copies: 10)
            return (situation, .refused(.exhausted(F.grantID)))
        },
        Row(name: "exhausted: every seal use used") {
            let claims = try F.sealClaims()
            var situation = Situation(claims)
            situation.resource = F.seal
            situation.usage = GrantUsage(sealUses: 3)
            return (situation, .refused(.exhausted(claims.grantID)))
        },
        Row(name: "accepted: seal with uses left") {
            let claims = try F.sealClaims()
            var situation = Situation(claims)
            situation.resource = F.seal
            situation.usage = GrantUsage(sealUses: 2)
            return (situation, .accepted(claims))
        },
    ]

    @Test(arguments: rows)
    func verdict(_ row: Row) throws {
        let (situation, expected) = try row.build()
        #expect(situation.verdict() == expected)
    }

    @Test func everyRefusalReasonHasARow() {
        let names = Set(Self.rows.map { $0.name.split(separator: ":").first.map(String.init) ?? $0.name })
        for reason in ["malformed", "unknown key", "bad signature", "key expired", "wrong device", "wrong user",
                       "wrong resource", "not yet valid", "expired", "replayed", "revoked", "exhausted", "accepted"] {
            #expect(names.contains(reason), "no row for \(reason)")
        }
    }

    // MARK: order of checks

    @Test func nothingUnsignedIsTrusted() throws {
        // Wrong device, expired and replayed, but the signature is checked first.
        var situation = Situation(try F.copierClaims(device: F.otherDevice))
        situation.token[situation.token.count - 1] ^= 0x80
        situation.now = F.t0.adding(seconds: 3600)
        situation.used = [F.grantID]
        #expect(situation.verdict() == .refused(.badSignature(F.serverKey.keyID)))
    }

    @Test func theKeyIsCheckedBeforeTheSignature() throws {
        var situation = Situation(try F.copierClaims(key: F.otherKey), signedBy: F.otherKey)
        situation.token[situation.token.count - 1] ^= 0x80
        #expect(situation.verdict() == .refused(.unknownKey(F.otherKey.keyID)))
    }

    @Test func revokedIsReportedBeforeReplayedAndReplayedBeforeExhausted() throws {
        var situation = Situation(try F.copierClaims())
        situation.used = [F.grantID]
        situation.usage = GrantUsage(pages: 50, copies: 10)
        #expect(situation.verdict() == .refused(.replayed(F.grantID)))
        let list = SignedRevocationList.sign(try F.revocationList(version: 1, revoking: [F.grantID]), with: F.serverKey)
        try situation.revocations.apply(list, trustedKeys: F.trusted)
        #expect(situation.verdict() == .refused(.revoked(F.grantID)))
    }

    // MARK: clock skew

    struct SkewEdge: Sendable, CustomTestStringConvertible {
        let name: String
        let skewSeconds: Int64
        /// Milliseconds relative to the grant's not-before (t0 + 1 h) or expiry (t0 + 2 h).
        let fromNotBefore: Int64?
        let fromExpires: Int64?
        let accepted: Bool
        var testDescription: String { name }
    }

    static let skewEdges: [SkewEdge] = [
        SkewEdge(name: "default skew, just inside the start", skewSeconds: 60, fromNotBefore: -60_000, fromExpires: nil, accepted: true),
        SkewEdge(name: "default skew, just outside the start", skewSeconds: 60, fromNotBefore: -60_001, fromExpires: nil, accepted: false),
        SkewEdge(name: "default skew, just inside the end", skewSeconds: 60, fromNotBefore: nil, fromExpires: 59_999, accepted: true),
        SkewEdge(name: "default skew, just outside the end", skewSeconds: 60, fromNotBefore: nil, fromExpires: 60_000, accepted: false),
        SkewEdge(name: "no skew, exactly at the start", skewSeconds: 0, fromNotBefore: 0, fromExpires: nil, accepted: true),
        SkewEdge(name: "no skew, 1 ms before the start", skewSeconds: 0, fromNotBefore: -1, fromExpires: nil, accepted: false),
        SkewEdge(name: "no skew, 1 ms before the end", skewSeconds: 0, fromNotBefore: nil, fromExpires: -1, accepted: true),
        SkewEdge(name: "no skew, exactly at the end", skewSeconds: 0, fromNotBefore: nil, fromExpires: 0, accepted: false),
        SkewEdge(name: "5 min skew, just inside the end", skewSeconds: 300, fromNotBefore: nil, fromExpires: 299_999, accepted: true),
        SkewEdge(name: "5 min skew, just outside the start", skewSeconds: 300, fromNotBefore: -300_001, fromExpires: nil, accepted: false),
    ]

    @Test(arguments: skewEdges)
    func skewWidensBothEnds(_ edge: SkewEdge) throws {
        let notBefore = F.t0.adding(seconds: 3600)
        let expires = F.t0.adding(seconds: 7200)
        let claims = try F.copierClaims(notBefore: notBefore, expires: expires)
        var situation = Situation(claims)
        situation.verifier = GrantVerifier(trustedKeys: F.trusted, deviceID: F.device, clockSkew: .seconds(edge.skewSeconds))
        situation.now = edge.fromNotBefore.map { notBefore.adding(milliseconds: $0) }
            ?? expires.adding(milliseconds: edge.fromExpires ?? 0)
        let expected: GrantVerdict<GrantClaims>
        if edge.accepted {
            expected = .accepted(claims)
        } else if edge.fromNotBefore != nil {
            expected = .refused(.notYetValid(validFrom: notBefore, now: situation.now))
        } else {
            expected = .refused(.expired(expires: expires, now: situation.now))
        }
        #expect(situation.verdict() == expected)
    }

    @Test func theDefaultSkewIsSixtySeconds() {
        #expect(F.verifier.clockSkew == .seconds(60))
    }

    @Test func usedIDsAreKeptUntilExpiryPlusSkew() throws {
        let claims = try F.copierClaims()
        #expect(F.verifier.usedIDRetention(for: claims) == claims.expires.adding(seconds: 60))
        let noSkew = GrantVerifier(trustedKeys: F.trusted, deviceID: F.device, clockSkew: .zero)
        #expect(noSkew.usedIDRetention(for: claims) == claims.expires)
    }

    @Test func aNegativeSkewCountsAsZero() throws {
        let claims = try F.copierClaims()
        var situation = Situation(claims)
        situation.verifier = GrantVerifier(trustedKeys: F.trusted, deviceID: F.device, clockSkew: .seconds(-5))
        situation.now = claims.expires.adding(milliseconds: -1)
        #expect(situation.verdict() == .accepted(claims))
        situation.now = claims.expires
        #expect(situation.verdict() == .refused(.expired(expires: claims.expires, now: claims.expires)))
    }

    @Test func aFarFutureExpiryDoesNotOverflow() throws {
        let far = Timestamp(millisecondsSinceEpoch: .max - 10)
        let claims = try F.copierClaims(expires: far)
        var situation = Situation(claims)
        situation.now = Timestamp(millisecondsSinceEpoch: .max - 20)
        #expect(situation.verdict() == .accepted(claims))
        #expect(F.verifier.usedIDRetention(for: claims) == Timestamp(millisecondsSinceEpoch: .max))
    }

    // MARK: descriptions

    @Test func everyRefusalReadsAsASentence() {
        let id = F.grantID
        let key = F.serverKey.keyID
        let refusals: [GrantRefusal] = [
            .malformed(.trailingBytes(count: 1)), .unknownKey(key), .badSignature(key),
            .keyExpired(key, validUntil: F.t0, issuedAt: F.t0.adding(seconds: 1)),
            .wrongDevice(expected: F.device, granted: F.otherDevice), .wrongUser(expected: F.user, granted: F.otherUser),
            .wrongResource(expected: F.copier, granted: F.otherCopier),
            .notYetValid(validFrom: F.t0, now: F.t0), .expired(expires: F.t0, now: F.t0),
            .replayed(id), .revoked(id), .exhausted(id),
        ]
        #expect(Set(refusals.map(\.description)).count == refusals.count)
        #expect(GrantRefusal.wrongDevice(expected: F.device, granted: F.otherDevice).description
            == "granted for device agent-4f, this is device agent-3f")
        #expect(GrantRefusal.replayed(id).description == "grant 00112233445566778899aabbccddeeff has already been used")
        #expect(GrantRefusal.malformed(.trailingBytes(count: 1)).description
            == "malformed grant: 1 trailing byte(s) after a complete value")
    }
}
