import TestSupport
import Testing
@testable import Protocol

/// Round trips of every grant structure: encode → decode gives an equal value, and encoding
/// that value again gives identical bytes.
@Suite("Grant codec round trips")
struct GrantCodecTests {
    typealias F = GrantFixtures

    @Test func grantIDRoundTripsAndPrintsAsHex() throws {
        let id = F.grantID
        #expect(id.description == "00112233445566778899aabbccddeeff")
        #expect(id.bytes == Hex.decode("00112233445566778899aabbccddeeff"))
        #expect(try GrantID(bytes: id.bytes) == id)
        #expect(try GrantID(wireBytes: id.wireBytes()) == id)
        #expect(throws: WireError.invalidValue(field: "grant id", reason: "must be 16 bytes, got 15")) {
            try GrantID(bytes: [UInt8](repeating: 0, count: 15))
        }
        #expect(throws: WireError.invalidValue(field: "grant id", reason: "must be 16 bytes, got 17")) {
            try GrantID(bytes: [UInt8](repeating: 0, count: 17))
        }
    }

    /// Events and seal frames carry the same id, so a short one is reported the same way
    /// everywhere: as the whole 16-byte field cut short.
    @Test func shortGrantIDIsReportedAsOneField() {
        #expect(throws: WireError.truncated(field: "grant id", needed: 1, available: 15)) {
            try GrantID(wireBytes: [UInt8](repeating: 0, count: 15))
        }
        #expect(throws: WireError.truncated(field: "grant id", needed: 9, available: 7)) {
            try GrantID(wireBytes: [UInt8](repeating: 0, count: 7))
        }
    }

    @Test func randomGrantIDsComeFromTheInjectedGenerator() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        let a = GrantID.random(using: &first)
        #expect(a == GrantID.random(using: &second))
        #expect(a != GrantID.random(using: &first))
    }

    @Test func grantIDsOrderByteWise() {
        #expect(GrantID(high: 0, low: .max) < GrantID(high: 1, low: 0))
        #expect(GrantID(high: 1, low: 1) < GrantID(high: 1, low: 2))
        #expect(!(GrantID(high: 1, low: 2) < GrantID(high: 1, low: 2)))
    }

    @Test(arguments: ["copier", "seal"])
    func claimsRoundTrip(_ kind: String) throws {
        let claims = kind == "copier" ? try F.copierClaims() : try F.sealClaims()
        let bytes = claims.wireBytes()
        let decoded = try GrantClaims(wireBytes: bytes)
        #expect(decoded == claims)
        #expect(decoded.wireBytes() == bytes)
    }

    @Test func copierClaimsHaveTheDocumentedLength() throws {
        // 1 + 16 + 8 + (1+8) + (1+5) + (1+11) + 1 + 13 + 1 + 8 + 8 + 8: docs/grants.md's example.
        #expect(try F.copierClaims().wireBytes().count == 91)
    }

    @Test func smallestEncodingsHaveTheDocumentedLength() throws {
        let claims = try GrantClaims(
            grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: DeviceID("d"), subject: UserID("u"),
            resourceID: ResourceID("r"), resourceType: .copier, allowance: .copier(pages: 1, copies: 1, colourAllowed: false),
            issuedAt: F.t0, notBefore: F.t0, expires: F.t0.adding(seconds: 1)
        )
        #expect(claims.wireBytes().count == 70)
        let limit = try LimitGrant(
            grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: DeviceID("d"), userID: UserID("u"),
            periodStart: F.t0, periodEnd: F.t0.adding(seconds: 1), unit: .pages, available: 0,
            issuedAt: F.t0, expires: F.t0.adding(seconds: 1)
        )
        #expect(limit.wireBytes().count == 71)
    }

    @Test func signedGrantRoundTripsAndKeepsTheSignedBytes() throws {
        let claims = try F.sealClaims()
        let signed = SignedGrant.sign(claims, with: F.serverKey)
        let token = signed.wireBytes()
        let decoded = try SignedGrant(wireBytes: token)
        #expect(decoded == signed)
        #expect(decoded.claims == claims)
        #expect(decoded.wireBytes() == token)
        #expect(Array(decoded.contentBytes) == claims.wireBytes())
        #expect(token.count == 2 + claims.wireBytes().count + 64)
        #expect(decoded.isSignatureValid(for: F.serverKey.publicKey))
        #expect(!decoded.isSignatureValid(for: F.otherKey.publicKey))
    }

    @Test func theSignatureCoversTheLabelThenTheClaims() throws {
        let claims = try F.copierClaims()
        let signed = SignedGrant.sign(claims, with: F.serverKey)
        let message = Array("imprimatur-grant-v1".utf8) + claims.wireBytes()
        #expect(F.serverKey.publicKey.isValidSignature(signed.signature, for: message))
        // Without the label, or under another structure's label, it does not verify.
        #expect(!F.serverKey.publicKey.isValidSignature(signed.signature, for: claims.wireBytes()))
        let asLimit = Array("imprimatur-limit-v1".utf8) + claims.wireBytes()
        #expect(!F.serverKey.publicKey.isValidSignature(signed.signature, for: asLimit))
    }

    @Test func largestClaimsFitTheirLimit() throws {
        let long = String(repeating: "x", count: 64)
        let claims = try GrantClaims(
            grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: DeviceID(long), subject: UserID(long),
            resourceID: ResourceID(long), resourceType: .seal, allowance: .seal(uses: .max),
            applicationID: ApplicationID(long), issuedAt: F.t0, notBefore: F.t0, expires: F.t0.adding(seconds: 1)
        )
        #expect(claims.wireBytes().count == 324)
        #expect(claims.wireBytes().count <= GrantClaims.maximumByteCount)
        let token = F.token(claims)
        #expect(try SignedGrant(wireBytes: token).claims == claims)
    }

    @Test(arguments: ["pages", "money"])
    func limitGrantRoundTrips(_ unit: String) throws {
        let grant = unit == "pages" ? try F.limitGrant(unit: .pages, available: -3) : try F.limitGrant()
        let bytes = grant.wireBytes()
        let decoded = try LimitGrant(wireBytes: bytes)
        #expect(decoded == grant)
        #expect(decoded.wireBytes() == bytes)

        let signed = SignedLimitGrant.sign(grant, with: F.serverKey)
        let token = signed.wireBytes()
        let decodedToken = try SignedLimitGrant(wireBytes: token)
        #expect(decodedToken == signed)
        #expect(decodedToken.limitGrant == grant)
        #expect(decodedToken.wireBytes() == token)
    }

    @Test func largestLimitGrantFitsItsLimit() throws {
        let long = String(repeating: "x", count: 64)
        var prices: [PagePrice] = []
        for size in PaperSize.allCases {
            for colour in [false, true] { prices.append(try PagePrice(paperSize: size, colour: colour, pricePerPage: .max)) }
        }
        let grant = try LimitGrant(
            grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: DeviceID(long), userID: UserID(long),
            periodStart: F.t0, periodEnd: F.t0.adding(seconds: 10), unit: .money(CurrencyCode("JPY")),
            available: .max, prices: PriceTable(prices), issuedAt: F.t0, expires: F.t0.adding(seconds: 10)
        )
        #expect(grant.wireBytes().count == 272)
        #expect(grant.wireBytes().count <= LimitGrant.maximumByteCount)
        #expect(try LimitGrant(wireBytes: grant.wireBytes()) == grant)
    }

    @Test func priceTableIsSortedIntoCanonicalOrder() throws {
        let table = try F.euroPrices()
        #expect(table.entries.map { "\($0.paperSize) \($0.colour)" } == ["A4 false", "A4 true", "A3 false"])
        #expect(table.price(paperSize: .a4, colour: true) == 30)
        #expect(table.price(paperSize: .a3, colour: true) == nil)
    }

    @Test func revocationListRoundTrips() throws {
        var generator = SplitMix64(seed: 99)
        let ids = (0..<50).map { _ in GrantID.random(using: &generator) }
        let list = try F.revocationList(version: 7, revoking: ids)
        #expect(list.entries.map(\.grantID) == ids.sorted())
        let bytes = list.wireBytes()
        #expect(bytes.count == 1 + 8 + 8 + 8 + 4 + 50 * 24)
        let decoded = try RevocationList(wireBytes: bytes)
        #expect(decoded == list)
        #expect(decoded.wireBytes() == bytes)

        let signed = SignedRevocationList.sign(list, with: F.serverKey)
        let token = signed.wireBytes()
        #expect(Array(token.prefix(4)) == [0, 0, 0x04, 0xcd]) // u32 length 1229
        let decodedToken = try SignedRevocationList(wireBytes: token)
        #expect(decodedToken == signed)
        #expect(decodedToken.revocationList == list)
        #expect(decodedToken.wireBytes() == token)
    }

    @Test func revocationListLooksIdsUp() throws {
        var generator = SplitMix64(seed: 5)
        let ids = (0..<101).map { _ in GrantID.random(using: &generator) }
        let list = try F.revocationList(version: 1, revoking: ids)
        for id in ids { #expect(list.contains(id)) }
        for _ in 0..<100 { #expect(!list.contains(GrantID.random(using: &generator))) }
        #expect(!(try F.revocationList(version: 1, revoking: [])).contains(F.grantID))
    }
}
