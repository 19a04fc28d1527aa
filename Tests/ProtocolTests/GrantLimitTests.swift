import Testing
@testable import Protocol

/// Limit grants (SPEC B3): the offline page budget and their verification.
@Suite("Limit grants")
struct GrantLimitTests {
    typealias F = GrantFixtures

    struct BudgetRow: Sendable, CustomTestStringConvertible {
        let money: Bool
        let available: Int64
        let used: UInt64
        let paper: PaperSize
        let colour: Bool
        let pages: UInt32

        var testDescription: String {
            "\(money ? "EUR cents" : "pages") available \(available), used \(used), \(paper) \(colour ? "colour" : "mono") → \(pages)"
        }
    }

    // Prices (euro cents): A4 mono 5, A4 colour 30, A3 mono 10, nothing else.
    static let budgetRows: [BudgetRow] = [
        // Page quota: colour and paper do not matter.
        BudgetRow(money: false, available: 100, used: 0, paper: .a4, colour: false, pages: 100),
        BudgetRow(money: false, available: 100, used: 40, paper: .a3, colour: true, pages: 60),
        BudgetRow(money: false, available: 100, used: 99, paper: .a4, colour: false, pages: 1),
        BudgetRow(money: false, available: 100, used: 100, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: false, available: 100, used: 150, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: false, available: 0, used: 0, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: false, available: -5, used: 0, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: false, available: .max, used: 0, paper: .a4, colour: false, pages: .max),
        // Money quota: whole pages only, rounded down.
        BudgetRow(money: true, available: 1000, used: 0, paper: .a4, colour: false, pages: 200),
        BudgetRow(money: true, available: 1000, used: 0, paper: .a4, colour: true, pages: 33),
        BudgetRow(money: true, available: 1000, used: 0, paper: .a3, colour: false, pages: 100),
        BudgetRow(money: true, available: 1000, used: 0, paper: .a3, colour: true, pages: 0),
        BudgetRow(money: true, available: 1000, used: 0, paper: .letter, colour: false, pages: 0),
        BudgetRow(money: true, available: 1000, used: 995, paper: .a4, colour: false, pages: 1),
        BudgetRow(money: true, available: 1000, used: 996, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: true, available: 1000, used: 970, paper: .a4, colour: true, pages: 1),
        BudgetRow(money: true, available: 1000, used: 971, paper: .a4, colour: true, pages: 0),
        BudgetRow(money: true, available: 29, used: 0, paper: .a4, colour: true, pages: 0),
        BudgetRow(money: true, available: 0, used: 0, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: true, available: -100, used: 0, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: true, available: 1000, used: .max, paper: .a4, colour: false, pages: 0),
        BudgetRow(money: true, available: .max, used: 0, paper: .a4, colour: false, pages: .max),
    ]

    @Test(arguments: budgetRows)
    func pageBudget(_ row: BudgetRow) throws {
        let grant = try row.money
            ? F.limitGrant(available: row.available)
            : F.limitGrant(unit: .pages, available: row.available)
        #expect(grant.pageBudget(usedSinceIssue: row.used, paperSize: row.paper, colour: row.colour) == row.pages)
    }

    @Test func theBudgetNeverExceedsWhatIsLeft() throws {
        let grant = try F.limitGrant(available: 1234)
        for used in UInt64(0)...1300 {
            for (paper, colour, price) in [(PaperSize.a4, false, UInt64(5)), (.a4, true, 30), (.a3, false, 10)] {
                let pages = UInt64(grant.pageBudget(usedSinceIssue: used, paperSize: paper, colour: colour))
                let left = used < 1234 ? 1234 - used : 0
                #expect(pages * price <= left)
                #expect((pages + 1) * price > left)
            }
        }
    }

    // MARK: verification

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let build: @Sendable () throws -> (token: [UInt8], now: Timestamp, verifier: GrantVerifier, revocations: RevocationState, expected: GrantVerdict<LimitGrant>)
        var testDescription: String { name }
    }

    static let now = F.t0.adding(seconds: 3600)

    static let rows: [Row] = [
        Row(name: "accepted") {
            let grant = try F.limitGrant()
            return (SignedLimitGrant.sign(grant, with: F.serverKey).wireBytes(), now, F.verifier, RevocationState(), .accepted(grant))
        },
        Row(name: "malformed") {
            let token = SignedLimitGrant.sign(try F.limitGrant(), with: F.serverKey).wireBytes()
            return (Array(token.dropLast()), now, F.verifier, RevocationState(),
                    .refused(.malformed(.truncated(field: "signature", needed: 1, available: 63))))
        },
        Row(name: "unknown key") {
            let token = SignedLimitGrant.sign(try F.limitGrant(key: F.otherKey), with: F.otherKey).wireBytes()
            return (token, now, F.verifier, RevocationState(), .refused(.unknownKey(F.otherKey.keyID)))
        },
        Row(name: "bad signature") {
            var token = SignedLimitGrant.sign(try F.limitGrant(), with: F.serverKey).wireBytes()
            token[2 + 67] ^= 0x01 // the low byte of "available": 1000 becomes 1001
            return (token, now, F.verifier, RevocationState(), .refused(.badSignature(F.serverKey.keyID)))
        },
        Row(name: "key expired") {
            let token = SignedLimitGrant.sign(try F.limitGrant(), with: F.serverKey).wireBytes()
            let retired = F.t0.adding(seconds: -1)
            let verifier = GrantVerifier(trustedKeys: TrustedKeys([TrustedKey(F.serverKey.publicKey, validUntil: retired)]), deviceID: F.device)
            return (token, now, verifier, RevocationState(), .refused(.keyExpired(F.serverKey.keyID, validUntil: retired, issuedAt: F.t0)))
        },
        Row(name: "another device") {
            let token = SignedLimitGrant.sign(try F.limitGrant(device: F.otherDevice), with: F.serverKey).wireBytes()
            return (token, now, F.verifier, RevocationState(), .refused(.wrongDevice(expected: F.device, granted: F.otherDevice)))
        },
        Row(name: "another user") {
            let token = SignedLimitGrant.sign(try F.limitGrant(user: F.otherUser), with: F.serverKey).wireBytes()
            return (token, now, F.verifier, RevocationState(), .refused(.wrongUser(expected: F.user, granted: F.otherUser)))
        },
        Row(name: "before its period") {
            let grant = try F.limitGrant()
            let early = grant.periodStart.adding(milliseconds: -60_001)
            return (SignedLimitGrant.sign(grant, with: F.serverKey).wireBytes(), early, F.verifier, RevocationState(),
                    .refused(.notYetValid(validFrom: grant.periodStart, now: early)))
        },
        Row(name: "expired") {
            let grant = try F.limitGrant()
            let late = grant.expires.adding(seconds: 60)
            return (SignedLimitGrant.sign(grant, with: F.serverKey).wireBytes(), late, F.verifier, RevocationState(),
                    .refused(.expired(expires: grant.expires, now: late)))
        },
        Row(name: "revoked") {
            let grant = try F.limitGrant()
            var revocations = RevocationState()
            try revocations.apply(SignedRevocationList.sign(try F.revocationList(version: 1, revoking: [grant.grantID]), with: F.serverKey),
                                  trustedKeys: F.trusted)
            return (SignedLimitGrant.sign(grant, with: F.serverKey).wireBytes(), now, F.verifier, revocations,
                    .refused(.revoked(grant.grantID)))
        },
    ]

    @Test(arguments: rows)
    func verdict(_ row: Row) throws {
        let (token, now, verifier, revocations, expected) = try row.build()
        #expect(verifier.verify(limitGrantToken: token, at: now, user: F.user, revocations: revocations) == expected)
    }

    @Test func anAccessGrantTokenIsNotALimitGrant() throws {
        // Same key, but a different label and layout: it neither decodes nor could verify.
        let token = F.token(try F.copierClaims())
        let verdict = F.verifier.verify(limitGrantToken: token, at: Self.now, user: F.user, revocations: RevocationState())
        #expect(verdict.refusal.map { if case .malformed = $0 { true } else { false } } == true)
    }
}
