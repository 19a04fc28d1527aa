import Foundation
import Protocol
import Testing
@testable import DeviceAgent

@Suite("Agent store: grants, credentials and small state")
struct AgentStoreGrantTests {
    static let serverKey = try! SigningKey(seed: [UInt8](repeating: 0x51, count: 32))
    static let bob = try! UserID("bob")
    static let t0 = StoreFixture.t0

    static func limitToken(id: UInt64, user: UserID = StoreFixture.alice, device: DeviceID = StoreFixture.deviceID,
                           available: Int64 = 100, issuedAt: Timestamp) throws -> [UInt8] {
        let grant = try LimitGrant(
            grantID: GrantID(high: 0, low: id), keyID: serverKey.keyID, deviceID: device, userID: user,
            periodStart: t0, periodEnd: t0.adding(seconds: 30 * 86_400), unit: .pages, available: available,
            issuedAt: issuedAt, expires: issuedAt.adding(seconds: 86_400))
        return SignedLimitGrant.sign(grant, with: serverKey).wireBytes()
    }

    static func revocationToken(version: UInt64) throws -> [UInt8] {
        let list = try RevocationList(version: version, issuedAt: t0, keyID: serverKey.keyID,
                                      entries: [RevocationEntry(grantID: GrantID(high: 1, low: version), relevantUntil: t0)])
        return SignedRevocationList.sign(list, with: serverKey).wireBytes()
    }

    @Test func usedGrantIDsAreRememberedUntilPrunedAndStopAReplay() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let first = GrantID(high: 1, low: 1)
        let second = GrantID(high: 1, low: 2)
        #expect(!store.contains(first))
        try store.markGrantUsed(first, until: Self.t0.adding(seconds: 60))
        try store.markGrantUsed(second, until: Self.t0.adding(seconds: 600))
        try store.markGrantUsed(first, until: Self.t0.adding(seconds: 30))  // the later time stays
        try store.close()

        store = try fixture.open()
        #expect(store.contains(first) && store.contains(second))
        #expect(try store.pruneUsedGrants(before: Self.t0.adding(seconds: 60)) == 0)
        #expect(try store.pruneUsedGrants(before: Self.t0.adding(seconds: 61)) == 1)
        #expect(!store.contains(first))
        #expect(store.contains(second))

        // The store is what GrantVerifier consults: a used grant is refused as replayed.
        let claims = try GrantClaims(
            grantID: second, keyID: Self.serverKey.keyID, deviceID: StoreFixture.deviceID, subject: StoreFixture.alice,
            resourceID: ResourceID("copier-3f"), resourceType: .copier, allowance: .copier(pages: 5, copies: 1, colourAllowed: false),
            issuedAt: Self.t0, notBefore: Self.t0, expires: Self.t0.adding(seconds: 300))
        let verifier = GrantVerifier(trustedKeys: TrustedKeys([TrustedKey(Self.serverKey.publicKey)]), deviceID: StoreFixture.deviceID)
        let verdict = verifier.verify(grantToken: SignedGrant.sign(claims, with: Self.serverKey).wireBytes(), at: Self.t0,
                                      usedGrantIDs: store, revocations: RevocationState())
        #expect(verdict == .refused(.replayed(second)))
        try store.close()
        #expect(store.contains(GrantID(high: 9, low: 9)), "a closed store fails closed: every grant counts as used")
    }

    @Test func theNewestLimitGrantPerUserWinsAndAnOlderOneIsIgnored() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let march = try Self.limitToken(id: 1, issuedAt: Self.t0.adding(seconds: 100))
        let april = try Self.limitToken(id: 2, issuedAt: Self.t0.adding(seconds: 200))
        let bobs = try Self.limitToken(id: 3, user: Self.bob, issuedAt: Self.t0)
        #expect(try store.limitGrant(for: StoreFixture.alice) == nil)
        #expect(try store.storeLimitGrant(token: march, for: StoreFixture.alice))
        #expect(try store.storeLimitGrant(token: april, for: StoreFixture.alice))
        #expect(try !store.storeLimitGrant(token: march, for: StoreFixture.alice), "older: ignored")
        #expect(try !store.storeLimitGrant(token: april, for: StoreFixture.alice), "same: ignored")
        #expect(try store.storeLimitGrant(token: bobs, for: Self.bob))
        try store.close()

        store = try fixture.open()
        #expect(try store.limitGrant(for: StoreFixture.alice) == april)
        #expect(try store.limitGrant(for: Self.bob) == bobs)
        try store.close()
    }

    @Test func aLimitGrantForSomeoneElseOrUndecodableIsRefused() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let bobs = try Self.limitToken(id: 3, user: Self.bob, issuedAt: Self.t0)
        #expect(throws: AgentStoreError.invalid(what: "limit grant", reason: "it is for user bob, not alice")) {
            try store.storeLimitGrant(token: bobs, for: StoreFixture.alice)
        }
        let elsewhere = try Self.limitToken(id: 4, device: DeviceID("copier-9"), issuedAt: Self.t0)
        #expect(throws: AgentStoreError.invalid(what: "limit grant", reason: "it is for device copier-9, not copier-3f")) {
            try store.storeLimitGrant(token: elsewhere, for: StoreFixture.alice)
        }
        #expect(throws: AgentStoreError.invalid(what: "limit grant", reason: "truncated limit grant length: needed 1 more byte(s), 1 left")) {
            try store.storeLimitGrant(token: [0], for: StoreFixture.alice)
        }
        try store.close()
    }

    @Test func usageSinceALimitGrantAddsUpPerGrantAndSaturates() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let march = GrantID(high: 0, low: 1)
        let april = GrantID(high: 0, low: 2)
        #expect(try store.usageSince(limitGrantID: march) == 0)
        #expect(try store.addUsage(user: StoreFixture.alice, limitGrantID: march, amount: 12) == 12)
        #expect(try store.addUsage(user: StoreFixture.alice, limitGrantID: march, amount: 30) == 42)
        try store.addUsage(user: StoreFixture.alice, limitGrantID: april, amount: 5)
        try store.close()
        store = try fixture.open()
        #expect(try store.usageSince(limitGrantID: march) == 42)
        #expect(try store.usageSince(limitGrantID: april) == 5)
        #expect(try store.addUsage(user: StoreFixture.alice, limitGrantID: april, amount: UInt64.max) == UInt64.max)
        #expect(try store.usageSince(limitGrantID: april) == UInt64.max)
        try store.close()
    }

    @Test func theCredentialCacheKeepsTheLatestPerCard() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let card = Hash32.sha256(Array("card 0042".utf8))
        #expect(try store.cachedCredential(cardHash: card) == nil)
        try store.cacheCredential(cardHash: card, pinVerifier: [1, 2, 3], user: StoreFixture.alice, at: Self.t0)
        try store.cacheCredential(cardHash: card, pinVerifier: nil, user: Self.bob, at: Self.t0.adding(seconds: 5))
        try store.close()
        store = try fixture.open()
        #expect(try store.cachedCredential(cardHash: card) == CachedCredential(user: Self.bob, pinVerifier: nil, cachedAt: Self.t0.adding(seconds: 5)))
        let other = Hash32.sha256(Array("card 0043".utf8))
        try store.cacheCredential(cardHash: other, pinVerifier: [9], user: StoreFixture.alice, at: Self.t0)
        #expect(try store.cachedCredential(cardHash: other)?.pinVerifier == [9])
        try store.close()
    }

    @Test func onlyTheNewestRevocationListIsKept() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        #expect(try store.revocationList() == nil)
        let three = try Self.revocationToken(version: 3)
        #expect(try store.storeRevocationList(token: three))
        #expect(try !store.storeRevocationList(token: Self.revocationToken(version: 2)))
        #expect(try !store.storeRevocationList(token: three))
        try store.close()
        store = try fixture.open()
        #expect(try store.revocationList() == three)
        let four = try Self.revocationToken(version: 4)
        #expect(try store.storeRevocationList(token: four))
        #expect(try store.revocationList() == four)
        #expect(throws: AgentStoreError.invalid(what: "revocation list", reason: "truncated revocation list length: needed 4 more byte(s), 0 left")) {
            try store.storeRevocationList(token: [])
        }
        try store.close()
    }

    @Test func serverKeysAreReplacedWhole() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        #expect(try store.serverKeys() == TrustedKeys())
        let old = TrustedKey(Self.serverKey.publicKey, validUntil: Self.t0)
        let current = TrustedKey(try SigningKey(seed: [UInt8](repeating: 0x52, count: 32)).publicKey)
        try store.storeServerKeys([old, current])
        try store.close()
        store = try fixture.open()
        #expect(try store.serverKeys() == TrustedKeys([old, current]))
        try store.storeServerKeys([current])
        #expect(try store.serverKeys().all == [current])
        try store.close()
    }

    @Test func sessionTagsPersistAndIncrease() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        #expect(try store.nextSessionTag() == 1)
        #expect(try store.nextSessionTag() == 2)
        try store.close()
        store = try fixture.open()
        #expect(try store.nextSessionTag() == 3)
        try store.close()
        try fixture.tamper { db in try db.execute(sql: "UPDATE agent_state SET session_tag = 4294967294") }
        store = try fixture.open()
        #expect(try store.nextSessionTag() == UInt32.max)
        #expect(throws: AgentStoreError.sessionTagsExhausted) { try store.nextSessionTag() }
        try store.close()
    }

    @Test func smallValuesAreKeptByKey() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        #expect(try store.value(forKey: "clock floor") == nil)
        try store.setValue("1800000000000", forKey: "clock floor")
        try store.setValue("v2", forKey: "firmware")
        try store.setValue("1800000000500", forKey: "clock floor")
        try store.close()
        store = try fixture.open()
        #expect(try store.value(forKey: "clock floor") == "1800000000500")
        try store.setValue(nil, forKey: "firmware")
        #expect(try store.value(forKey: "firmware") == nil)
        try store.close()
    }
}
