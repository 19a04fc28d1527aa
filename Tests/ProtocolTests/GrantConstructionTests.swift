import Testing
@testable import Protocol

/// Values built in code are held to the same rules as decoded ones, each with its own error.
@Suite("Grant construction")
struct GrantConstructionTests {
    typealias F = GrantFixtures

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: WireError
        let build: @Sendable () throws -> Void
        var testDescription: String { name }
    }

    static let t0 = F.t0

    static let cases: [Case] = [
        Case(name: "expires equal to not before",
             expected: .invalidValue(field: "expires", reason: "must be after not before (1700000000000ms), got 1700000000000ms")) {
            _ = try F.copierClaims(expires: t0)
        },
        Case(name: "issued after expiry",
             expected: .invalidValue(field: "issued at", reason: "must not be after expires (1700000060000ms), got 1700000060001ms")) {
            _ = try F.copierClaims(issuedAt: t0.adding(milliseconds: 60_001), expires: t0.adding(seconds: 60))
        },
        Case(name: "negative issued at", expected: .invalidValue(field: "issued at", reason: "negative timestamp (-1)")) {
            _ = try F.copierClaims(issuedAt: Timestamp(millisecondsSinceEpoch: -1))
        },
        Case(name: "copier grant without pages",
             expected: .invalidValue(field: "allowance", reason: "a copier grant must allow at least one page")) {
            _ = try F.copierClaims(allowance: .copier(pages: 0, copies: 1, colourAllowed: false))
        },
        Case(name: "copier grant without copies",
             expected: .invalidValue(field: "allowance", reason: "a copier grant must allow at least one copy")) {
            _ = try F.copierClaims(allowance: .copier(pages: 1, copies: 0, colourAllowed: false))
        },
        Case(name: "copier grant with seal uses",
             expected: .invalidValue(field: "allowance", reason: "a copier grant must not allow seal uses")) {
            _ = try F.copierClaims(allowance: Allowance(pages: 1, copies: 1, sealUses: 1))
        },
        Case(name: "copier grant naming an application",
             expected: .invalidValue(field: "application id", reason: "only a seal grant names an application")) {
            _ = try GrantClaims(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, subject: F.user,
                                resourceID: F.copier, resourceType: .copier, allowance: .copier(pages: 1, copies: 1, colourAllowed: false),
                                applicationID: F.application, issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: 1))
        },
        Case(name: "seal grant without uses",
             expected: .invalidValue(field: "allowance", reason: "a seal grant must allow at least one use")) {
            _ = try GrantClaims(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, subject: F.user,
                                resourceID: F.seal, resourceType: .seal, allowance: .seal(uses: 0),
                                issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: 1))
        },
        Case(name: "seal grant allowing colour",
             expected: .invalidValue(field: "allowance", reason: "a seal grant must not allow pages, copies or colour")) {
            _ = try GrantClaims(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, subject: F.user,
                                resourceID: F.seal, resourceType: .seal, allowance: Allowance(colourAllowed: true, sealUses: 1),
                                issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: 1))
        },
        Case(name: "currency code too short", expected: .invalidValue(field: "currency code", reason: "must be three letters A-Z")) {
            _ = try CurrencyCode("EU")
        },
        Case(name: "currency code in lower case", expected: .invalidValue(field: "currency code", reason: "must be three letters A-Z")) {
            _ = try CurrencyCode("eur")
        },
        Case(name: "free page", expected: .invalidValue(field: "price per page", reason: "must be at least 1 minor unit (A3 colour)")) {
            _ = try PagePrice(paperSize: .a3, colour: true, pricePerPage: 0)
        },
        Case(name: "two prices for one paper and colour", expected: .invalidValue(field: "price table", reason: "two prices for B5 mono")) {
            _ = try PriceTable([PagePrice(paperSize: .b5, colour: false, pricePerPage: 1),
                                PagePrice(paperSize: .b5, colour: false, pricePerPage: 2)])
        },
        Case(name: "page quota with prices", expected: .invalidValue(field: "price table", reason: "a page quota has no prices")) {
            _ = try F.limitGrant(unit: .pages, prices: F.euroPrices())
        },
        Case(name: "money quota without prices",
             expected: .invalidValue(field: "price table", reason: "a money quota needs at least one price")) {
            _ = try F.limitGrant(prices: .empty)
        },
        Case(name: "period ending before it starts",
             expected: .invalidValue(field: "period end", reason: "must be after period start (1700000000000ms), got 1700000000000ms")) {
            _ = try LimitGrant(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, userID: F.user,
                               periodStart: t0, periodEnd: t0, unit: .pages, available: 1, issuedAt: t0, expires: t0.adding(seconds: 1))
        },
        Case(name: "limit grant expiring when issued",
             expected: .invalidValue(field: "expires", reason: "must be after issued at (1700000000000ms), got 1700000000000ms")) {
            _ = try LimitGrant(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, userID: F.user,
                               periodStart: t0, periodEnd: t0.adding(seconds: 9), unit: .pages, available: 1, issuedAt: t0, expires: t0)
        },
        Case(name: "limit grant outliving its period",
             expected: .invalidValue(field: "expires", reason: "must not be after period end (1700000009000ms), got 1700000009001ms")) {
            _ = try LimitGrant(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, userID: F.user,
                               periodStart: t0, periodEnd: t0.adding(seconds: 9), unit: .pages, available: 1,
                               issuedAt: t0, expires: t0.adding(milliseconds: 9001))
        },
        Case(name: "limit grant expiring before its period",
             expected: .invalidValue(field: "expires", reason: "must be after period start (1700000010000ms), got 1700000005000ms")) {
            _ = try LimitGrant(grantID: F.grantID, keyID: F.serverKey.keyID, deviceID: F.device, userID: F.user,
                               periodStart: t0.adding(seconds: 10), periodEnd: t0.adding(seconds: 20), unit: .pages, available: 1,
                               issuedAt: t0, expires: t0.adding(seconds: 5))
        },
        Case(name: "grant revoked twice", expected: .invalidValue(field: "revoked grants", reason: "grant 00112233445566778899aabbccddeeff is listed twice")) {
            _ = try F.revocationList(version: 1, revoking: [F.grantID, GrantID(high: 3, low: 3), F.grantID])
        },
        Case(name: "too many revocations", expected: .tooLong(field: "revoked grants", length: 16_385, limit: 16_384)) {
            _ = try F.revocationList(version: 1, revoking: (0..<16_385).map { GrantID(high: 0, low: UInt64($0)) })
        },
        Case(name: "negative revocation relevance", expected: .invalidValue(field: "relevant until", reason: "negative timestamp (-5)")) {
            _ = try RevocationEntry(grantID: F.grantID, relevantUntil: Timestamp(millisecondsSinceEpoch: -5))
        },
    ]

    @Test(arguments: cases)
    func refused(_ testCase: Case) {
        #expect(throws: testCase.expected) { try testCase.build() }
    }
}
