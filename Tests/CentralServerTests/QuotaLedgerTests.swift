import Protocol
import Testing
@testable import CentralServer

/// The worked examples of docs/quotas.md, row by row: each builds the row's ledger and checks
/// every column of the table.
@Suite("Quota rule (docs/quotas.md worked examples)")
struct QuotaLedgerTests {
    static let alice = Fixture.userID("alice")
    static let eur = Fixture.eur
    /// 2025-05-01T00:00Z and 2025-06-01T00:00Z.
    static let may1 = Timestamp(millisecondsSinceEpoch: 1_746_057_600_000)
    static let june1 = Timestamp(millisecondsSinceEpoch: 1_748_736_000_000)
    static let day: Int64 = 86_400_000
    static let endOfMay = june1.adding(milliseconds: -1)
    static let prices = [Price(paperSize: .a4, colour: false, pricePerPage: 5, currency: eur)]

    /// A ledger written one hour apart from 1 May (ids in order), in pages or EUR cents.
    struct Ledger {
        var unit: QuotaUnit = .pages
        var entries: [LedgerEntry] = []

        mutating func add(_ kind: LedgerKind, _ value: Int64, at: Timestamp? = nil, pages: Int64? = nil) {
            let when = at ?? QuotaLedgerTests.may1.adding(milliseconds: Int64(entries.count) * 3_600_000)
            let id = Int64(entries.count + 1)
            switch unit {
            case .pages:
                // A payment into a page quota is money that bought `pages`.
                if kind == .payment {
                    entries.append(LedgerEntry(id: id, userID: alice, at: when, kind: kind, pages: pages ?? 0, amount: value, currency: eur, actor: "test"))
                } else {
                    entries.append(LedgerEntry(id: id, userID: alice, at: when, kind: kind, pages: value, actor: "test"))
                }
            case let .money(currency):
                entries.append(LedgerEntry(id: id, userID: alice, at: when, kind: kind, pages: 0, amount: value, currency: currency, actor: "test"))
            }
        }

        /// A payment of `cents`, converted as `quota pay` does.
        mutating func pay(_ cents: Int64) throws {
            let bought = try PaymentConversion.use(amount: cents, currency: eur, unit: unit, prices: prices)
            add(.payment, cents, pages: bought.pages)
        }
    }

    struct Row: CustomStringConvertible {
        let number: Int
        let ledger: Ledger
        var policy: PaymentPolicy = .firstLimit
        var at: Timestamp = QuotaLedgerTests.endOfMay
        // first limit, adjustment, second limit, used, remaining, overdraft used, paid, repaid
        let expected: [Int64]
        var description: String { "row \(number)" }
    }

    static func pagesLedger(_ build: (inout Ledger) throws -> Void) rethrows -> Ledger {
        var ledger = Ledger()
        ledger.add(.limit, 500)
        ledger.add(.overdraft, 100)
        try build(&ledger)
        return ledger
    }

    static func rows() throws -> [Row] {
        let row3 = try pagesLedger { $0.add(.use, 550); try $0.pay(500) }
        let row5 = try pagesLedger { $0.add(.use, 200); try $0.pay(100) }
        var row7 = Ledger(unit: .money(eur))
        row7.add(.limit, 2000)
        row7.add(.overdraft, 500)
        row7.add(.use, 2300)
        try row7.pay(1000)
        row7.add(.use, 1100)
        let row9 = pagesLedger { $0.add(.adjustment, 50); $0.add(.use, 620) }
        var row11 = Ledger()
        row11.add(.limit, 500)
        row11.add(.overdraft, 100)
        row11.add(.use, 300)
        row11.add(.limit, 200, at: may1.adding(milliseconds: 9 * day))
        var row12 = Ledger()
        row12.add(.limit, 0)
        row12.add(.overdraft, 0)
        try row12.pay(7)
        return [
            Row(number: 1, ledger: pagesLedger { $0.add(.use, 450) }, expected: [500, 100, 600, 450, 150, 0, 0, 0]),
            Row(number: 2, ledger: pagesLedger { $0.add(.use, 600) }, expected: [500, 100, 600, 600, 0, 100, 0, 0]),
            Row(number: 3, ledger: row3, expected: [600, 100, 700, 550, 150, 0, 100, 50]),
            Row(number: 4, ledger: row3, policy: .adjustment, expected: [550, 150, 700, 550, 150, 0, 100, 50]),
            Row(number: 5, ledger: row5, expected: [520, 100, 620, 200, 420, 0, 20, 0]),
            Row(number: 6, ledger: row5, policy: .adjustment, expected: [500, 120, 620, 200, 420, 0, 20, 0]),
            Row(number: 7, ledger: row7, expected: [3000, 500, 3500, 3400, 100, 400, 1000, 300]),
            Row(number: 8, ledger: row7, at: june1, expected: [2000, 500, 2500, 0, 2500, 0, 0, 0]),
            Row(number: 9, ledger: row9, expected: [500, 150, 650, 620, 30, 120, 0, 0]),
            Row(number: 10, ledger: row9, at: june1, expected: [500, 100, 600, 0, 600, 0, 0, 0]),
            Row(number: 11, ledger: row11, expected: [200, 100, 300, 300, 0, 100, 0, 0]),
            Row(number: 12, ledger: row12, expected: [1, 0, 1, 0, 1, 0, 1, 0]),
        ]
    }

    @Test func everyWorkedExampleGivesTheTablesNumbers() throws {
        let rows = try Self.rows()
        #expect(rows.count == 12)
        for row in rows {
            let state = QuotaLedger.state(unit: row.ledger.unit, period: .monthly, entries: row.ledger.entries, at: row.at, policy: row.policy)
            let got = [state.firstLimit, state.adjustment, state.secondLimit, state.used, state.remaining, state.overdraftUsed, state.paid, state.repaid]
            #expect(got == row.expected, "\(row)")
        }
    }

    @Test func theOrderOfEntriesIsTheirTimeNotTheirPlaceInTheList() throws {
        let row3 = try Self.pagesLedger { $0.add(.use, 550); try $0.pay(500) }
        let shuffled = QuotaLedger.state(unit: .pages, period: .monthly, entries: row3.entries.reversed(), at: Self.endOfMay, policy: .firstLimit)
        #expect(shuffled.repaid == 50)
        #expect(shuffled.firstLimit == 600)
        // Paid before the use, nothing was on overdraft yet: nothing repaid, same second limit.
        var early = Ledger()
        early.add(.limit, 500)
        early.add(.overdraft, 100)
        try early.pay(500)
        early.add(.use, 550)
        let state = QuotaLedger.state(unit: .pages, period: .monthly, entries: early.entries, at: Self.endOfMay, policy: .firstLimit)
        #expect(state.repaid == 0)
        #expect(state.secondLimit == 700)
    }

    @Test func entriesAfterTheMomentAndInOtherUnitsDoNotCount() {
        var ledger = Ledger()
        ledger.add(.limit, 500)
        ledger.add(.use, 100)
        ledger.add(.use, 50, at: Self.may1.adding(milliseconds: 20 * Self.day))
        // A standing limit written for a money quota is not a page limit.
        ledger.entries.append(LedgerEntry(id: 99, userID: Self.alice, at: Self.may1, kind: .limit, amount: 9999, currency: Self.eur, actor: "test"))
        let state = QuotaLedger.state(unit: .pages, period: .monthly, entries: ledger.entries, at: Self.may1.adding(milliseconds: 10 * Self.day), policy: .firstLimit)
        #expect(state.used == 100)
        #expect(state.firstLimit == 500)
        let dollars = QuotaLedger.state(unit: .money(try! CurrencyCode("USD")), period: .monthly, entries: ledger.entries, at: Self.endOfMay, policy: .firstLimit)
        #expect(dollars.secondLimit == 0)
    }

    @Test func paymentsAreConvertedAtThePriceTablesRateOrRefused() throws {
        func use(_ amount: Int64, _ unit: QuotaUnit) throws -> [Int64] {
            let bought = try PaymentConversion.use(amount: amount, currency: Self.eur, unit: unit, prices: Self.prices)
            return [bought.pages, bought.amount]
        }
        #expect(try use(500, .pages) == [100, 500])
        #expect(try use(7, .pages) == [1, 7])
        #expect(try use(1234, .money(Self.eur)) == [0, 1234])
        let usd = try CurrencyCode("USD")
        #expect(throws: PaymentConversion.Refusal.wrongCurrency(paid: usd, quota: Self.eur)) {
            try PaymentConversion.use(amount: 100, currency: usd, unit: .money(Self.eur), prices: Self.prices)
        }
        #expect(throws: PaymentConversion.Refusal.noPrice(paper: .a4, colour: false, currency: usd)) {
            try PaymentConversion.use(amount: 100, currency: usd, unit: .pages, prices: Self.prices)
        }
        #expect(throws: PaymentConversion.Refusal.notPositive(0)) {
            try PaymentConversion.use(amount: 0, currency: Self.eur, unit: .pages, prices: Self.prices)
        }
    }

    @Test func hugeLedgersSaturateInsteadOfOverflowing() {
        var ledger = Ledger()
        ledger.add(.limit, .max)
        ledger.add(.overdraft, .max)
        ledger.add(.adjustment, .max)
        let state = QuotaLedger.state(unit: .pages, period: .monthly, entries: ledger.entries, at: Self.endOfMay, policy: .firstLimit)
        #expect(state.secondLimit == .max)
        #expect(state.remaining == .max)
    }

    @Test func theFullRefreshComesHourlyAndAtEveryUTCMidnight() {
        let lateEvening = Self.june1.adding(milliseconds: -30 * 60_000)
        #expect(LimitRefreshSchedule.nextFullRefresh(after: lateEvening, interval: 3_600_000) == Self.june1)
        #expect(LimitRefreshSchedule.nextFullRefresh(after: Self.may1, interval: 3_600_000) == Self.may1.adding(milliseconds: 3_600_000))
        #expect(LimitRefreshSchedule.nextFullRefresh(after: Self.endOfMay, interval: 3_600_000) == Self.june1)
    }
}
