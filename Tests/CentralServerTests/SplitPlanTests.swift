import Protocol
import Testing
@testable import CentralServer

/// SPEC D1: the split rules of docs/split-charges.md, one row per rule.
@Suite struct SplitPlanTests {
    static let known: Set<String> = ["alice", "bob", "carol"]

    static func plan(_ shares: [SplitShareRequest], pages: Int = 10, copies: Int = 1, method: PrintMethod = PrintMethod()) throws(SplitError) -> [SplitPart] {
        try SplitPlanner.plan(SplitRequest(copies: copies, method: method, shares: shares), pageCount: pages, requester: Fixture.userID("alice")) { known.contains($0.value) }
    }

    static func range(_ first: Int, _ last: Int) -> PageRange { PageRange(first: first, last: last) }

    struct Good: Sendable, CustomTestStringConvertible {
        let name: String
        let shares: [SplitShareRequest]
        /// Per part: pages, copies, colour, payers with percent.
        let parts: [(PageRange, Int, Bool, [(String, Int)])]
        var testDescription: String { name }
    }

    static let good: [Good] = [
        Good(name: "one payer pays all", shares: [.init(payer: "bob")], parts: [(range(1, 10), 1, false, [("bob", 100)])]),
        Good(name: "ratio 60/40", shares: [.init(payer: "bob", ratio: 60), .init(payer: "carol", ratio: 40)],
             parts: [(range(1, 10), 1, false, [("bob", 60), ("carol", 40)])]),
        Good(name: "by copies", shares: [.init(payer: "bob", copies: 3), .init(payer: "carol", copies: 2)],
             parts: [(range(1, 10), 3, false, [("bob", 100)]), (range(1, 10), 2, false, [("carol", 100)])]),
        Good(name: "by page range", shares: [.init(payer: "bob", pages: range(1, 4)), .init(payer: "carol", pages: range(5, 10))],
             parts: [(range(1, 4), 1, false, [("bob", 100)]), (range(5, 10), 1, false, [("carol", 100)])]),
        Good(name: "by print method", shares: [.init(payer: "bob", colour: true), .init(payer: "carol", colour: false)],
             parts: [(range(1, 10), 1, true, [("bob", 100)]), (range(1, 10), 1, false, [("carol", 100)])]),
        Good(name: "combined: range in colour, ratio on the rest", shares: [
            .init(payer: "bob", pages: range(1, 2), colour: true),
            .init(payer: "carol", ratio: 50, pages: range(3, 10)), .init(payer: "alice", ratio: 50, pages: range(3, 10)),
        ], parts: [(range(1, 2), 1, true, [("bob", 100)]), (range(3, 10), 1, false, [("carol", 50), ("alice", 50)])]),
        Good(name: "ratio 100 alone is fine", shares: [.init(payer: "bob", ratio: 100)], parts: [(range(1, 10), 1, false, [("bob", 100)])]),
    ]

    @Test(arguments: good) func accepted(_ row: Good) throws {
        let parts = try Self.plan(row.shares)
        #expect(parts.count == row.parts.count)
        for (part, expected) in zip(parts, row.parts) {
            #expect(part.pages == expected.0)
            #expect(part.copies == expected.1)
            #expect(part.method.colour == expected.2)
            #expect(part.payers.map(\.payer.value) == expected.3.map(\.0))
            #expect(part.payers.map(\.percent) == expected.3.map(\.1))
        }
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let shares: [SplitShareRequest]
        let field: String
        let says: String
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "no payers", shares: [], field: "shares", says: "at least one payer"),
        Bad(name: "unknown payer", shares: [.init(payer: "zed")], field: "shares[0].payer", says: "no active user \"zed\""),
        Bad(name: "payer twice", shares: [.init(payer: "bob", pages: range(1, 2)), .init(payer: "bob", pages: range(3, 4))],
            field: "shares[1].payer", says: "already the payer of shares[0]"),
        Bad(name: "ratios sum to 90", shares: [.init(payer: "bob", ratio: 50), .init(payer: "carol", ratio: 40)], field: "shares", says: "sum to 90, not 100"),
        Bad(name: "ratio missing on a shared part", shares: [.init(payer: "bob", ratio: 50), .init(payer: "carol")], field: "shares[1].ratio", says: "needs a ratio"),
        Bad(name: "ratio below 100 alone", shares: [.init(payer: "bob", ratio: 70)], field: "shares[0].ratio", says: "leaves 30% unpaid"),
        Bad(name: "ratio out of range", shares: [.init(payer: "bob", ratio: 0)], field: "shares[0].ratio", says: "percent from 1 to 100"),
        Bad(name: "range past the end", shares: [.init(payer: "bob", pages: range(8, 11))], field: "shares[0].pages", says: "outside the document, which has 10 pages"),
        Bad(name: "range backwards", shares: [.init(payer: "bob", pages: range(5, 3))], field: "shares[0].pages", says: "not a page range"),
        Bad(name: "ranges overlap", shares: [.init(payer: "bob", pages: range(1, 5)), .init(payer: "carol", pages: range(5, 10))],
            field: "shares[1].pages", says: "overlap pages 1-5 of bob"),
        Bad(name: "copies zero", shares: [.init(payer: "bob", copies: 0)], field: "shares[0].copies", says: "from 1 to 999"),
        Bad(name: "bad paper type", shares: [.init(payer: "bob", paperType: "a b")], field: "shares[0].paper_type", says: "letters, digits"),
    ]

    @Test(arguments: bad) func refused(_ row: Bad) {
        do {
            _ = try Self.plan(row.shares)
            Issue.record("\(row.name) was accepted")
        } catch {
            guard case let .input(input) = error else { Issue.record("not an input error: \(error)"); return }
            #expect(input.field == row.field)
            #expect(input.message.contains(row.says), "\(input.message)")
        }
    }

    @Test(arguments: [
        (Int64(100), [60, 40], [Int64(60), 40]),
        (Int64(7), [50, 50], [Int64(4), 3]),
        (Int64(10), [33, 33, 34], [Int64(3), 3, 4]),
        (Int64(1), [50, 50], [Int64(1), 0]),
        (Int64(0), [30, 70], [Int64(0), 0]),
    ])
    func apportionSumsExactly(_ total: Int64, _ percents: [Int], _ expected: [Int64]) {
        let shares = SplitPlanner.apportion(total, percents: percents)
        #expect(shares == expected)
        #expect(shares.reduce(0, +) == total)
    }
}
