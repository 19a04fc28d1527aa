import Protocol
import Testing
@testable import CentralServer

@Suite("Grant decision")
struct GrantDecisionTests {
    typealias Reason = UplinkMessage.RefusalReason
    static let policy = GrantPolicy()
    static let now = Fixture.now

    /// Facts for a request that is granted; each table row changes one thing.
    static func facts(_ change: (inout GrantRequestFacts) -> Void = { _ in }) -> GrantRequestFacts {
        var facts = GrantRequestFacts(
            device: .found(Fixture.device(), permissions: []),
            credential: .found(Fixture.user()),
            pin: .matched,
            resourceID: Fixture.resourceID("copier-1"),
            resourceType: .copier,
            deviceTime: now,
            now: now
        )
        change(&facts)
        return facts
    }

    static func failures(_ count: Int, endingAt end: Timestamp, spacing: Int64 = 10_000) -> [Timestamp] {
        (0..<count).map { end.adding(milliseconds: -Int64(count - 1 - $0) * spacing) }
    }

    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let facts: GrantRequestFacts
        let reason: Reason
        var testDescription: String { name }
    }

    static let refusals: [Row] = [
        Row(name: "device not enrolled", facts: facts { $0.device = .notEnrolled }, reason: .deviceNotEnrolled),
        Row(name: "device disabled", facts: facts { $0.device = .found(Fixture.device(state: .disabled), permissions: []) }, reason: .deviceDisabled),
        Row(name: "resource not on the device", facts: facts { $0.resourceID = Fixture.resourceID("copier-9") }, reason: .resourceUnknown),
        Row(name: "a seal asked for as a copier", facts: facts { $0.resourceID = Fixture.resourceID("seal-1") }, reason: .resourceKindMismatch),
        Row(name: "device clock 6 minutes fast", facts: facts { $0.deviceTime = now.adding(milliseconds: 6 * Fixture.minute) }, reason: .deviceClockSkew),
        Row(name: "device clock 6 minutes slow", facts: facts { $0.deviceTime = now.adding(milliseconds: -6 * Fixture.minute) }, reason: .deviceClockSkew),
        Row(name: "unknown card", facts: facts { $0.credential = .unknownCard }, reason: .unknownCard),
        Row(name: "unknown user id", facts: facts { $0.credential = .unknownUser }, reason: .unknownUser),
        Row(name: "wrong PIN", facts: facts { $0.pin = .mismatched }, reason: .wrongPIN),
        Row(name: "PIN missing", facts: facts { $0.pin = .missing }, reason: .wrongPIN),
        Row(name: "no PIN set for a user-id login", facts: facts { $0.pin = .noPINSet }, reason: .wrongPIN),
        Row(name: "PIN entry locked for the user", facts: facts { $0.userPINFailures = failures(5, endingAt: now.adding(milliseconds: -60_000)) }, reason: .pinRateLimited),
        Row(name: "PIN entry locked on the device", facts: facts { $0.devicePINFailures = failures(20, endingAt: now.adding(milliseconds: -60_000)) }, reason: .pinRateLimited),
        Row(name: "locked even with the right PIN", facts: facts {
            $0.pin = .notChecked
            $0.userPINFailures = failures(5, endingAt: now)
        }, reason: .pinRateLimited),
        Row(name: "PIN not checked without a lock", facts: facts { $0.pin = .notChecked }, reason: .serverUnavailable),
        Row(name: "user disabled", facts: facts { $0.credential = .found(Fixture.user(active: false)) }, reason: .userDisabled),
        Row(name: "device limited to another department", facts: facts {
            $0.device = .found(Fixture.device(), permissions: [.department("sales")])
        }, reason: .notAllowedOnDevice),
        Row(name: "device limited to another user", facts: facts {
            $0.device = .found(Fixture.device(), permissions: [.user(Fixture.userID("bob"))])
        }, reason: .notAllowedOnDevice),
        Row(name: "page quota used up", facts: facts { $0.quota = quota(.pages, first: 100, adjustment: 20, used: 120) }, reason: .overQuota),
        Row(name: "page quota over", facts: facts { $0.quota = quota(.pages, first: 100, adjustment: 0, used: 130) }, reason: .overQuota),
        Row(name: "money left is less than the cheapest page", facts: facts {
            $0.quota = quota(.money(Fixture.eur), first: 1000, adjustment: 0, used: 996)
            $0.prices = Fixture.prices([(.a4, false, 5), (.a4, true, 30)])
        }, reason: .overQuota),
        Row(name: "money quota without prices", facts: facts { $0.quota = quota(.money(Fixture.eur), first: 1000, adjustment: 0, used: 0) }, reason: .notPermitted),
        Row(name: "seal without an application", facts: facts {
            $0.resourceID = Fixture.resourceID("seal-1")
            $0.resourceType = .seal
        }, reason: .applicationNotApproved),
        Row(name: "seal application pending", facts: sealFacts(.pending), reason: .applicationNotApproved),
        Row(name: "seal application rejected", facts: sealFacts(.rejected), reason: .applicationNotApproved),
        Row(name: "seal application unknown", facts: sealFacts(.notFound), reason: .applicationNotApproved),
        Row(name: "seal application revoked", facts: sealFacts(.revoked), reason: .applicationRevoked),
        Row(name: "seal application of another user", facts: sealFacts(.approved(applicant: Fixture.userID("bob"), seal: Fixture.resourceID("seal-1"), usesRemaining: 3)), reason: .applicationMismatch),
        Row(name: "seal application for another seal", facts: sealFacts(.approved(applicant: Fixture.userID("alice"), seal: Fixture.resourceID("seal-2"), usesRemaining: 3)), reason: .applicationMismatch),
        Row(name: "seal application used up", facts: sealFacts(.approved(applicant: Fixture.userID("alice"), seal: Fixture.resourceID("seal-1"), usesRemaining: 0)), reason: .usesExhausted),
    ]

    static func quota(_ unit: QuotaUnit, first: Int64, adjustment: Int64, used: Int64) -> QuotaState {
        QuotaState(unit: unit, period: QuotaPeriodKind.monthly.period(containing: now), firstLimit: first, adjustment: adjustment, used: used)
    }

    static func sealFacts(_ application: SealApplicationState) -> GrantRequestFacts {
        facts {
            $0.resourceID = Fixture.resourceID("seal-1")
            $0.resourceType = .seal
            $0.applicationID = try! ApplicationID("app-1")
            $0.sealApplication = application
        }
    }

    @Test(arguments: refusals)
    func refuses(_ row: Row) {
        let decision = GrantDecision.decide(row.facts, policy: Self.policy)
        #expect(decision.refusalReason == row.reason, "\(row.name): \(decision)")
        if case let .refuse(_, text) = decision { #expect(!text.isEmpty) }
    }

    @Test func everyReasonTheDecisionCanGiveIsInTheTable() {
        let covered = Set(Self.refusals.map(\.reason))
        // The rest belong to the uplink (authentication, protocol version) or to policy outside the decision.
        let outside: Set<Reason> = [.authenticationFailed, .protocolVersionUnsupported]
        #expect(covered.union(outside) == Set(Reason.allCases))
    }

    @Test func checksRunInTheDocumentedOrder() {
        // Everything wrong at once: the device is checked first.
        var facts = Self.facts {
            $0.device = .notEnrolled
            $0.credential = .unknownCard
            $0.pin = .mismatched
        }
        #expect(GrantDecision.decide(facts, policy: Self.policy).refusalReason == .deviceNotEnrolled)
        // A wrong PIN is answered before the account's state, so a disabled account is not revealed without the PIN.
        facts = Self.facts {
            $0.credential = .found(Fixture.user(active: false))
            $0.pin = .mismatched
        }
        #expect(GrantDecision.decide(facts, policy: Self.policy).refusalReason == .wrongPIN)
        // A card-only user (no PIN) is not subject to the PIN lock.
        facts = Self.facts {
            $0.pin = .notRequired
            $0.userPINFailures = Self.failures(5, endingAt: Self.now)
        }
        #expect(GrantDecision.decide(facts, policy: Self.policy).refusalReason == nil)
    }

    @Test func grantsACopierSessionWithoutQuotaUpToTheCap() throws {
        let decision = GrantDecision.decide(Self.facts(), policy: Self.policy)
        guard case let .grant(terms) = decision else { Issue.record("\(decision)"); return }
        #expect(terms.userID == Fixture.userID("alice"))
        #expect(terms.allowance == .copier(pages: 500, copies: 500, colourAllowed: true))
        #expect(terms.issuedAt == Self.now)
        #expect(terms.notBefore == Self.now.adding(milliseconds: -5 * Fixture.minute))
        #expect(terms.expires == Self.now.adding(milliseconds: 10 * Fixture.minute))
        #expect(terms.limit == nil)
    }

    @Test func allowsByDepartmentOrByName() {
        for permissions: [DevicePermission] in [[.department("finance")], [.user(Fixture.userID("alice"))], [.department("sales"), .user(Fixture.userID("alice"))]] {
            let facts = Self.facts { $0.device = .found(Fixture.device(), permissions: permissions) }
            #expect(GrantDecision.decide(facts, policy: Self.policy).refusalReason == nil, "\(permissions)")
        }
    }

    @Test func grantsASealSessionForAnApprovedApplication() {
        let facts = Self.sealFacts(.approved(applicant: Fixture.userID("alice"), seal: Fixture.resourceID("seal-1"), usesRemaining: 3))
        guard case let .grant(terms) = GrantDecision.decide(facts, policy: Self.policy) else { Issue.record("refused"); return }
        #expect(terms.allowance == .seal(uses: 3))
        #expect(terms.limit == nil)
    }

    @Test func wrongPINSaysHowManyTriesAreLeft() {
        let first = GrantDecision.decide(Self.facts { $0.pin = .mismatched }, policy: Self.policy)
        #expect(first == .refuse(.wrongPIN, text: "Wrong PIN. 4 tries left."))
        let last = GrantDecision.decide(Self.facts {
            $0.pin = .mismatched
            $0.userPINFailures = Self.failures(4, endingAt: Self.now.adding(milliseconds: -1000))
        }, policy: Self.policy)
        #expect(last == .refuse(.wrongPIN, text: "Wrong PIN. PIN entry is now locked for 15 minutes."))
    }
}
