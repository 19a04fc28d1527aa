import Protocol
import Testing
@testable import CentralServer

@Suite("Quota arithmetic and periods")
struct QuotaTests {
    static let policy = GrantPolicy()
    static let eur = Fixture.eur

    static func decide(_ quota: QuotaState, prices: PriceTable = .empty) -> GrantDecision {
        GrantDecision.decide(GrantRequestFacts(
            device: .found(Fixture.device(), permissions: []), credential: .found(Fixture.user()), pin: .matched,
            resourceID: Fixture.resourceID("copier-1"), resourceType: .copier, quota: quota, prices: prices, now: Fixture.now
        ), policy: policy)
    }

    static func state(_ quota: Quota, _ totals: LedgerTotals) -> QuotaState {
        QuotaState(quota: quota, totals: totals, at: Fixture.now)
    }

    // The worked examples of docs/server.md, "Quota arithmetic".

    @Test func example1PagesWithinTheAdjustment() throws {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .pages, firstLimit: 500, adjustment: 100)
        let state = Self.state(quota, LedgerTotals(used: 450))
        #expect(state.secondLimit == 600)
        #expect(state.remaining == 150)
        #expect(!state.isInAdjustment)
        guard case let .grant(terms) = Self.decide(state) else { Issue.record("refused"); return }
        #expect(terms.allowance == .copier(pages: 150, copies: 150, colourAllowed: true))
        let limit = try #require(terms.limit)
        #expect(limit.available == 150)
        #expect(limit.unit == .pages)
        #expect(limit.prices == .empty)
    }

    @Test func example2PagesUsedUp() {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .pages, firstLimit: 500, adjustment: 100)
        let state = Self.state(quota, LedgerTotals(used: 600))
        #expect(state.remaining == 0)
        #expect(state.isInAdjustment)
        #expect(Self.decide(state).refusalReason == .overQuota)
    }

    @Test func example3MoneyWithAPaymentAndAnAdjustmentEntry() throws {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .money(Self.eur), firstLimit: 2000, adjustment: 500)
        let state = Self.state(quota, LedgerTotals(used: 3400, payments: 1000, adjustments: 0))
        #expect(state.firstLimit == 3000)
        #expect(state.secondLimit == 3500)
        #expect(state.remaining == 100)
        let prices = Fixture.prices([(.a4, false, 5), (.a4, true, 30), (.a3, false, 10)])
        guard case let .grant(terms) = Self.decide(state, prices: prices) else { Issue.record("refused"); return }
        #expect(terms.allowance == .copier(pages: 20, copies: 20, colourAllowed: true))
        let limit = try #require(terms.limit)
        #expect(limit.available == 100)
        #expect(limit.prices == prices)
        // What the agent will then allow per job from that limit grant (docs/grants.md's budget rule).
        let grant = try LimitGrant(
            grantID: GrantID(high: 1, low: 2), keyID: Fixture.deviceKey.keyID, deviceID: Fixture.deviceID("agent-1"),
            userID: Fixture.userID("alice"), periodStart: limit.period.start, periodEnd: limit.period.end, unit: limit.unit,
            available: limit.available, prices: limit.prices, issuedAt: limit.issuedAt, expires: limit.expires
        )
        #expect(grant.pageBudget(usedSinceIssue: 0, paperSize: .a4, colour: true) == 3)
        #expect(grant.pageBudget(usedSinceIssue: 0, paperSize: .a3, colour: false) == 10)
    }

    @Test func example4MoneyLeftBelowTheCheapestPage() {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .money(Self.eur), firstLimit: 2000, adjustment: 0)
        let state = Self.state(quota, LedgerTotals(used: 1996))
        #expect(state.remaining == 4)
        #expect(Self.decide(state, prices: Fixture.prices([(.a4, false, 5)])).refusalReason == .overQuota)
    }

    @Test func colourIsRefusedWhenOnlyMonoIsAffordable() {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .money(Self.eur), firstLimit: 20, adjustment: 0)
        guard case let .grant(terms) = Self.decide(Self.state(quota, .zero), prices: Fixture.prices([(.a4, false, 5), (.a4, true, 30)])) else {
            Issue.record("refused")
            return
        }
        #expect(terms.allowance == .copier(pages: 4, copies: 4, colourAllowed: false))
    }

    @Test func theSessionCapBoundsALargeQuota() {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .pages, firstLimit: 1_000_000, adjustment: 0)
        guard case let .grant(terms) = Self.decide(Self.state(quota, .zero)) else { Issue.record("refused"); return }
        #expect(terms.allowance.pages == Self.policy.sessionPageCap)
        #expect(terms.limit?.available == 1_000_000)
    }

    @Test func aNegativeAdjustmentEntryLowersTheSecondLimit() {
        let quota = Quota(userID: Fixture.userID("alice"), period: .monthly, unit: .pages, firstLimit: 100, adjustment: 50)
        let state = Self.state(quota, LedgerTotals(used: 90, adjustments: -50))
        #expect(state.secondLimit == 100)
        #expect(state.remaining == 10)
    }

    @Test func sumsSaturateInsteadOfOverflowing() {
        let state = QuotaState(unit: .pages, period: QuotaPeriod(start: Fixture.now, end: Fixture.now.adding(milliseconds: 1)), firstLimit: .max, adjustment: .max, used: .min)
        #expect(state.secondLimit == .max)
        #expect(state.remaining == .max)
    }

    @Test func limitGrantsExpireAtTheLatestAtThePeriodEnd() throws {
        let period = QuotaPeriodKind.monthly.period(containing: Fixture.now)
        let late = period.end.adding(milliseconds: -3_600_000)
        let state = QuotaState(unit: .pages, period: period, firstLimit: 10, adjustment: 0, used: 0)
        let terms = try #require(LimitTerms.make(quota: state, prices: .empty, now: late, policy: Self.policy))
        #expect(terms.expires == period.end)
        let early = try #require(LimitTerms.make(quota: state, prices: .empty, now: Fixture.now, policy: Self.policy))
        #expect(early.expires == Fixture.now.adding(milliseconds: 24 * 3_600_000))
    }

    // Periods: UTC calendar boundaries.

    static func ms(_ iso: String) -> Int64 {
        // yyyy-mm-dd only.
        let parts = iso.split(separator: "-").map { Int64($0)! }
        return CivilDate.days(year: parts[0], month: parts[1], day: parts[2]) * 86_400_000
    }

    @Test(arguments: [
        (QuotaPeriodKind.daily, "2023-11-14", "2023-11-15"),
        (.weekly, "2023-11-13", "2023-11-20"),
        (.monthly, "2023-11-01", "2023-12-01"),
        (.yearly, "2023-01-01", "2024-01-01"),
    ])
    func periodsContainingTheExampleMoment(kind: QuotaPeriodKind, start: String, end: String) {
        let period = kind.period(containing: Fixture.now)
        #expect(period.start.millisecondsSinceEpoch == Self.ms(start))
        #expect(period.end.millisecondsSinceEpoch == Self.ms(end))
        #expect(period.contains(Fixture.now))
    }

    @Test func decemberRollsIntoTheNextYearAndFebruaryKnowsLeapYears() {
        let december = QuotaPeriodKind.monthly.period(containing: Timestamp(millisecondsSinceEpoch: Self.ms("2023-12-31") + 1))
        #expect(december.end.millisecondsSinceEpoch == Self.ms("2024-01-01"))
        let february = QuotaPeriodKind.monthly.period(containing: Timestamp(millisecondsSinceEpoch: Self.ms("2024-02-10")))
        #expect(february.end.millisecondsSinceEpoch == Self.ms("2024-03-01"))
        // A period's end belongs to the next period.
        let next = QuotaPeriodKind.monthly.period(containing: december.end)
        #expect(next.start == december.end)
    }

    @Test func civilDatesRoundTrip() {
        for day in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.civil(fromDays: day)
            #expect(CivilDate.days(year: y, month: m, day: d) == day)
        }
        #expect(TimeText.iso8601(Fixture.now) == "2023-11-14T22:13:20Z")
        #expect(TimeText.iso8601(Timestamp(millisecondsSinceEpoch: 0)) == "1970-01-01T00:00:00Z")
    }
}

@Suite("PIN rate limit")
struct PINRateLimitTests {
    let limit = PINRateLimit.perUser
    let start = Fixture.now

    func at(_ minutes: Double) -> Timestamp { start.adding(milliseconds: Int64(minutes * 60_000)) }

    @Test func fourFailuresDoNotLock() {
        let failures = [at(0), at(1), at(2), at(3)]
        #expect(limit.lockedUntil(failures: failures, now: at(3)) == nil)
    }

    @Test func theFifthFailureWithinFifteenMinutesLocksForFifteenMinutesFromIt() {
        let failures = [at(0), at(1), at(2), at(3), at(14.9)]
        #expect(limit.lockedUntil(failures: failures, now: at(14.9)) == at(29.9))
        #expect(limit.lockedUntil(failures: failures, now: at(29.8)) == at(29.9))
        // Exactly at the end the lock is over.
        #expect(limit.lockedUntil(failures: failures, now: at(29.9)) == nil)
    }

    @Test func failuresSpreadOverMoreThanTheWindowDoNotLock() {
        let failures = [at(0), at(4), at(8), at(12), at(16)]
        #expect(limit.lockedUntil(failures: failures, now: at(16)) == nil)
    }

    @Test func afterALockEndsThereAreFreshTries() {
        let burst = [at(0), at(0.1), at(0.2), at(0.3), at(0.4)]
        #expect(limit.lockedUntil(failures: burst, now: at(15.5)) == nil)
        let oneMore = burst + [at(15.5)]
        #expect(limit.lockedUntil(failures: oneMore, now: at(15.5)) == nil)
    }

    @Test func failuresInTheFutureOfNowAreIgnored() {
        let failures = [at(0), at(1), at(2), at(3), at(4)]
        #expect(limit.lockedUntil(failures: failures, now: at(3.5)) == nil)
    }

    @Test func theDeviceLimitNeedsTwentyFailures() {
        let device = PINRateLimit.perDevice
        let nineteen = (0..<19).map { at(Double($0) * 0.5) }
        #expect(device.lockedUntil(failures: nineteen, now: at(10)) == nil)
        #expect(device.lockedUntil(failures: nineteen + [at(10)], now: at(10)) == at(25))
    }
}
