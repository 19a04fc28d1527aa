import Protocol
import Testing
@testable import DeviceAgent

@Suite("Copier session state machine")
struct CopierSessionTests {
    typealias F = SessionFixtures
    static let card = try! Credential.card("0042", pin: "1234")
    static let config = CopierSession.Configuration(idleTimeoutMilliseconds: 60_000, identifyTimeoutMilliseconds: 10_000)

    /// A session that has started, confirmed its lock, and is at `locked`.
    static func locked() -> CopierSession {
        var session = CopierSession(configuration: config)
        _ = session.handle(.started, now: F.t0)
        _ = session.handle(.lockConfirmed, now: F.t0)
        return session
    }

    /// A session open on a 10-page online grant with tag 7.
    static func open(pages: UInt32 = 10, lifetimeSeconds: Int64 = 300) -> CopierSession {
        var session = locked()
        _ = session.handle(.tapped(card), now: F.t0)
        _ = session.handle(.authorized(F.online(pages: pages, lifetimeSeconds: lifetimeSeconds), tag: 7), now: F.t0)
        return session
    }

    static func closeReason(_ actions: [CopierSession.Action]) -> SessionCloseReason? {
        for case let .recordSessionClosed(_, _, reason) in actions { return reason }
        return nil
    }

    @Test func startUpForcesTheRelayOffBeforeAnythingElse() {
        var session = CopierSession(configuration: Self.config)
        #expect(session.handle(.started, now: F.t0) == [.forceLock])
        // A tap before the lock is confirmed is not acted on.
        let early = session.handle(.tapped(Self.card), now: F.t0)
        #expect(!early.contains(.requestAuthorization(Self.card)))
        #expect(session.handle(.authorized(F.online(), tag: 1), now: F.t0).isEmpty)
        #expect(session.phase == .starting)
        _ = session.handle(.lockConfirmed, now: F.t0)
        #expect(session.phase == .locked)
    }

    @Test func tapAskForAGrantAndAVerifiedGrantUnlocks() {
        var session = Self.locked()
        #expect(session.handle(.tapped(Self.card), now: F.t0) == [.requestAuthorization(Self.card)])
        let grant = F.online(pages: 10)
        let actions = session.handle(.authorized(grant, tag: 7), now: F.t0)
        // Opened is recorded first, so a failed unlock's "closed" event can only come after it.
        #expect(actions == [.recordSessionOpened(grant, tag: 7), .unlock(tag: 7, pageBudget: 10), .takePhoto(user: F.alice, sessionTag: 7)])
        #expect(session.openSession?.authorization == grant)
        #expect(session.handle(.unlockConfirmed, now: F.t0) == [.tell("Unlocked for alice: up to 10 page(s).")])
        #expect(session.handle(.unlockConfirmed, now: F.t0).isEmpty)  // said once
    }

    /// The agent under load once said "Unlocked" for an unlock the copier refused: the words
    /// came with the unlock action, not with the copier's confirmation.
    @Test func aFailedUnlockNeverSaysUnlocked() {
        var session = Self.open()
        let actions = session.handle(.linkLost(reason: "write holding registers 4+2 failed: Connection timed out"), now: F.t0)
        #expect(!actions.contains { if case let .tell(text) = $0 { return text.hasPrefix("Unlocked") } else { return false } })
        #expect(Self.closeReason(actions) == .fault)
        #expect(session.handle(.unlockConfirmed, now: F.t0).isEmpty)  // a late confirmation opens nothing
        #expect(session.phase == .locked)
    }

    /// The link check's relay read can come before the unlock writes land (the agent was slow,
    /// the copier silent for a watchdog period): "relay off" then says nothing about the session.
    @Test func aRelayFoundOffBeforeTheUnlockLandedIsIgnored() {
        var session = Self.open()
        #expect(session.handle(.relayFoundOff, now: F.t0).isEmpty)
        #expect(session.openSession != nil)
        _ = session.handle(.unlockConfirmed, now: F.t0)
        let actions = session.handle(.relayFoundOff, now: F.t0.adding(seconds: 1))
        #expect(actions.contains(.lock))
        #expect(Self.closeReason(actions) == .fault)
        #expect(session.phase == .locked)
    }

    @Test func aRefusalLeavesItLockedAndSaysWhy() {
        var session = Self.locked()
        _ = session.handle(.tapped(Self.card), now: F.t0)
        #expect(session.handle(.refused(message: "Unknown card."), now: F.t0) == [.tell("Unknown card.")])
        #expect(session.phase == .locked)
    }

    @Test func aGrantWithNoPagesDoesNotUnlock() {
        var session = Self.locked()
        _ = session.handle(.tapped(Self.card), now: F.t0)
        let offline = try! SessionAuthorization.offline(
            limitGrantToken: F.limitToken(available: 5), verifier: F.verifier, user: F.alice, usedSinceIssue: 5,
            at: F.t0, revocations: RevocationState()
        ).get()
        let actions = session.handle(.authorized(offline, tag: 3), now: F.t0)
        #expect(!actions.contains { if case .unlock = $0 { return true } else { return false } })
        #expect(session.phase == .locked)
    }

    @Test func noAnswerInTimeGivesUp() {
        var session = Self.locked()
        _ = session.handle(.tapped(Self.card), now: F.t0)
        #expect(session.handle(.tick, now: F.t0.adding(milliseconds: 9_999)).isEmpty)
        #expect(session.handle(.tick, now: F.t0.adding(milliseconds: 10_000)) == [.tell("No answer in time; please try again.")])
        #expect(session.phase == .locked)
        // A late answer after giving up opens nothing.
        #expect(session.handle(.authorized(F.online(), tag: 1), now: F.t0.adding(seconds: 11)).isEmpty)
    }

    struct CloseCase: Sendable, CustomTestStringConvertible {
        let name: String
        let inputs: [(CopierSession.Input, Int64)]  // input, milliseconds after t0
        let reason: SessionCloseReason
        var testDescription: String { name }
    }

    static let closeCases: [CloseCase] = [
        CloseCase(name: "logout", inputs: [(.logout, 1_000)], reason: .logout),
        CloseCase(name: "idle timeout", inputs: [(.tick, 60_000)], reason: .idleTimeout),
        CloseCase(name: "grant expiry", inputs: [(.status(F.status(.copying)), 299_000), (.tick, 300_000)], reason: .grantExpired),
        CloseCase(name: "budget spent (job record)", inputs: [(.jobFinished(F.job(pages: 10, end: .budgetExhausted)), 5_000)], reason: .budgetSpent),
        CloseCase(name: "budget spent (pages used up)", inputs: [(.jobFinished(F.job(pages: 10, end: .completed)), 5_000)], reason: .budgetSpent),
        CloseCase(name: "revocation", inputs: [(.revoked([GrantID(high: 0, low: 1)]), 1_000)], reason: .revoked),
        CloseCase(name: "copier fault", inputs: [(.status(F.status(.fault, fault: .paperJam)), 1_000)], reason: .fault),
        CloseCase(name: "watchdog ended the job", inputs: [(.jobFinished(F.job(pages: 2, end: .watchdogExpired)), 1_000)], reason: .fault),
        CloseCase(name: "copier locked itself", inputs: [(.unlockConfirmed, 0), (.status(F.status(.locked)), 1_000)], reason: .fault),
        CloseCase(name: "link lost", inputs: [(.linkLost(reason: "timeout"), 1_000)], reason: .fault),
    ]

    @Test(arguments: closeCases)
    func everyReasonToLockLocks(_ testCase: CloseCase) {
        var session = Self.open()
        var actions: [CopierSession.Action] = []
        for (input, offset) in testCase.inputs {
            actions = session.handle(input, now: F.t0.adding(milliseconds: offset))
        }
        #expect(actions.contains(.lock))
        #expect(Self.closeReason(actions) == testCase.reason)
        #expect(session.phase == .locked)
    }

    @Test func aLockedStatusFromBeforeTheUnlockLandedIsIgnored() {
        var session = Self.open()
        #expect(session.handle(.status(F.status(.locked)), now: F.t0).isEmpty)
        #expect(session.openSession != nil)
        _ = session.handle(.unlockConfirmed, now: F.t0)
        #expect(Self.closeReason(session.handle(.status(F.status(.locked)), now: F.t0)) == .fault)
    }

    @Test func copyingKeepsTheSessionFromIdling() {
        var session = Self.open()
        _ = session.handle(.status(F.status(.copying)), now: F.t0.adding(seconds: 10))
        #expect(session.handle(.tick, now: F.t0.adding(seconds: 100)).isEmpty)
        _ = session.handle(.status(F.status(.ready)), now: F.t0.adding(seconds: 110))
        #expect(session.handle(.tick, now: F.t0.adding(seconds: 169)).isEmpty)
        #expect(Self.closeReason(session.handle(.tick, now: F.t0.adding(seconds: 170))) == .idleTimeout)
    }

    @Test func jobsAreRecordedAndCountedAgainstTheBudget() {
        var session = Self.open(pages: 10)
        let job = F.job(pages: 4)
        #expect(session.handle(.jobFinished(job), now: F.t0.adding(seconds: 5)) == [.recordJob(job, F.online(pages: 10), tag: 7)])
        #expect(session.openSession?.pagesUsed == 4)
    }

    @Test func anUnrelatedRevocationChangesNothing() {
        var session = Self.open()
        #expect(session.handle(.revoked([GrantID(high: 5, low: 5)]), now: F.t0).isEmpty)
        #expect(session.openSession != nil)
    }

    @Test func aSecondTapDuringASessionIsRefused() throws {
        var session = Self.open()
        let actions = session.handle(.tapped(try .card("0043")), now: F.t0)
        #expect(actions == [.tell("A session is open for alice; log out first.")])
    }

    @Test func offlineMoneyBudgetIsPricedAtTheDearestPage() throws {
        let prices = try PriceTable([
            PagePrice(paperSize: .a4, colour: false, pricePerPage: 5),
            PagePrice(paperSize: .a4, colour: true, pricePerPage: 20),
        ])
        let authorization = try SessionAuthorization.offline(
            limitGrantToken: F.limitToken(unit: .money(try CurrencyCode("EUR")), available: 100, prices: prices),
            verifier: F.verifier, user: F.alice, usedSinceIssue: 10, at: F.t0, revocations: RevocationState()
        ).get()
        #expect(authorization.pageBudget == 4)  // (100 - 10) / 20
        let limit = try SignedLimitGrant(wireBytes: F.limitToken(unit: .money(try CurrencyCode("EUR")), available: 100, prices: prices)).limitGrant
        #expect(limit.cost(colourPages: 1, monoPages: 2, paperSize: .a4) == 30)
        #expect(limit.cost(colourPages: 1, monoPages: 0, paperSize: .a3) == 20)  // unpriced: dearest
    }

    /// Issue 21: a faulty copier's largest page counts at the largest prices summed past
    /// UInt64 and trapped the agent; the cost saturates, which is over any limit.
    @Test func theCostOfTheLargestPageCountsSaturates() throws {
        let prices = try PriceTable([
            PagePrice(paperSize: .a4, colour: false, pricePerPage: .max),
            PagePrice(paperSize: .a4, colour: true, pricePerPage: .max),
        ])
        let limit = try SignedLimitGrant(wireBytes: F.limitToken(unit: .money(try CurrencyCode("EUR")), available: 100, prices: prices)).limitGrant
        #expect(limit.cost(colourPages: .max, monoPages: .max, paperSize: .a4) == .max)
        #expect(limit.cost(colourPages: .max, monoPages: 0, paperSize: .a4) == UInt64(UInt32.max) * UInt64(UInt32.max))
    }

    @Test func onlyVerifiedGrantsAuthorize() {
        var forged = F.grantToken()
        forged[forged.count - 1] ^= 0x01  // the signature's last byte
        let result = SessionAuthorization.online(
            grantToken: forged, verifier: F.verifier, copier: F.copier, at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState()
        )
        #expect(throws: GrantRefusal.self) { try result.get() }
        let otherCopier = SessionAuthorization.online(
            grantToken: F.grantToken(resource: try! ResourceID("copier-2")), verifier: F.verifier, copier: F.copier,
            at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState()
        )
        #expect(throws: GrantRefusal.self) { try otherCopier.get() }
        let replayed = SessionAuthorization.online(
            grantToken: F.grantToken(), verifier: F.verifier, copier: F.copier, at: F.t0,
            usedGrantIDs: Set([GrantID(high: 0, low: 1)]), revocations: RevocationState()
        )
        #expect(throws: GrantRefusal.self) { try replayed.get() }
    }
}
