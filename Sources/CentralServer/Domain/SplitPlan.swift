import Protocol

/// How a part is printed (SPEC D1 "print method"): colour or mono, paper size, paper type.
public struct PrintMethod: Hashable, Sendable {
    public var colour: Bool
    public var paperSize: PaperSize
    /// Free text the copier knows (`plain`, `recycled`, `photo`, ...); not priced.
    public var paperType: String

    public init(colour: Bool = false, paperSize: PaperSize = .a4, paperType: String = "plain") {
        self.colour = colour
        self.paperSize = paperSize
        self.paperType = paperType
    }
}

/// Pages `first...last` of a document, counted from 1.
public struct PageRange: Hashable, Sendable, CustomStringConvertible {
    public let first: Int
    public let last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    public var count: Int { last - first + 1 }
    public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }
    func overlaps(_ other: PageRange) -> Bool { first <= other.last && other.first <= last }
}

/// One payer's share as the requester asked for it (SPEC D1), before it is checked. Every field
/// but the payer is optional; what a share leaves out it takes from the job.
public struct SplitShareRequest: Hashable, Sendable {
    public var payer: String
    /// Percent (1-100) of a part that several payers pay together.
    public var ratio: Int?
    public var copies: Int?
    public var pages: PageRange?
    public var colour: Bool?
    public var paperSize: PaperSize?
    public var paperType: String?

    public init(payer: String, ratio: Int? = nil, copies: Int? = nil, pages: PageRange? = nil, colour: Bool? = nil, paperSize: PaperSize? = nil, paperType: String? = nil) {
        self.payer = payer
        self.ratio = ratio
        self.copies = copies
        self.pages = pages
        self.colour = colour
        self.paperSize = paperSize
        self.paperType = paperType
    }
}

/// A whole split as asked for: the job's defaults and the shares.
public struct SplitRequest: Hashable, Sendable {
    public var copies: Int
    public var method: PrintMethod
    public var shares: [SplitShareRequest]

    public init(copies: Int = 1, method: PrintMethod = PrintMethod(), shares: [SplitShareRequest]) {
        self.copies = copies
        self.method = method
        self.shares = shares
    }
}

/// One part of a split job: what is printed (pages, copies, method) and who pays it, with each
/// payer's percent. A part is printed once; when several payers share it (a ratio), it is
/// released when all of them approved and each is charged their percent.
public struct SplitPart: Hashable, Sendable {
    public let index: Int
    public let pages: PageRange
    public let copies: Int
    public let method: PrintMethod
    public let payers: [SplitPayerShare]

    public init(index: Int, pages: PageRange, copies: Int, method: PrintMethod, payers: [SplitPayerShare]) {
        self.index = index
        self.pages = pages
        self.copies = copies
        self.method = method
        self.payers = payers
    }

    /// Sheets' worth of pages the part prints: pages times copies.
    public var printedPages: Int { pages.count * copies }
}

/// A payer of a part and the percent of it they pay.
public struct SplitPayerShare: Hashable, Sendable {
    public let payer: UserID
    public let percent: Int

    public init(payer: UserID, percent: Int) {
        self.payer = payer
        self.percent = percent
    }
}

/// Turns a `SplitRequest` into parts (SPEC D1), or says what is wrong with it. Pure.
///
/// The rules (docs/split-charges.md): each payer appears once; a share takes the job's copies,
/// whole document and print method for what it leaves out; shares that ask for the same pages,
/// copies and method are one part paid together, and then each needs a ratio and the ratios
/// sum to 100 (a share alone pays 100, a ratio on it must be 100); page ranges lie inside the
/// document, and page ranges given explicitly for different parts do not overlap.
public enum SplitPlanner {
    public static let maximumShares = 20
    public static let maximumCopies = 999
    public static let paperTypeLimit = 40

    /// `isKnownPayer` says whether a user id names an active user who can pay.
    public static func plan(_ request: SplitRequest, pageCount: Int, requester: UserID, isKnownPayer: (UserID) -> Bool) throws(SplitError) -> [SplitPart] {
        guard pageCount >= 1 else { throw .field("pdf", "the document has no pages") }
        guard (1...maximumCopies).contains(request.copies) else { throw .field("copies", "must be from 1 to \(maximumCopies), got \(request.copies)") }
        try checkPaperType(request.method.paperType, field: "paper_type")
        guard !request.shares.isEmpty else { throw .field("shares", "at least one payer is needed") }
        guard request.shares.count <= maximumShares else { throw .field("shares", "at most \(maximumShares) payers, got \(request.shares.count)") }

        struct Selection: Hashable { let pages: PageRange; let explicit: Bool; let copies: Int; let method: PrintMethod }
        var order: [Selection] = []
        var groups: [Selection: [(index: Int, payer: UserID, ratio: Int?)]] = [:]
        var seen: [UserID: Int] = [:]
        for (index, share) in request.shares.enumerated() {
            let field = "shares[\(index)]"
            guard let payer = try? UserID(share.payer) else { throw .field("\(field).payer", "\"\(share.payer)\" is not a user id") }
            guard isKnownPayer(payer) else { throw .field("\(field).payer", "no active user \"\(payer)\"") }
            if let earlier = seen[payer] { throw .field("\(field).payer", "\(payer) is already the payer of shares[\(earlier)]; give each payer one share") }
            seen[payer] = index
            if let ratio = share.ratio, !(1...100).contains(ratio) { throw .field("\(field).ratio", "must be a percent from 1 to 100, got \(ratio)") }
            let copies = share.copies ?? request.copies
            guard (1...maximumCopies).contains(copies) else { throw .field("\(field).copies", "must be from 1 to \(maximumCopies), got \(copies)") }
            if let pages = share.pages {
                guard pages.first >= 1, pages.first <= pages.last else { throw .field("\(field).pages", "\"\(pages)\" is not a page range (first page 1 or more, first ≤ last)") }
                guard pages.last <= pageCount else { throw .field("\(field).pages", "pages \(pages) lie outside the document, which has \(pageCount) page\(pageCount == 1 ? "" : "s")") }
            }
            var method = request.method
            if let colour = share.colour { method.colour = colour }
            if let size = share.paperSize { method.paperSize = size }
            if let type = share.paperType {
                try checkPaperType(type, field: "\(field).paper_type")
                method.paperType = type
            }
            let selection = Selection(pages: share.pages ?? PageRange(first: 1, last: pageCount), explicit: share.pages != nil, copies: copies, method: method)
            if groups[selection] == nil { order.append(selection) }
            groups[selection, default: []].append((index, payer, share.ratio))
        }

        var parts: [SplitPart] = []
        for selection in order {
            let members = groups[selection]!
            var payers: [SplitPayerShare] = []
            if members.count == 1 {
                let only = members[0]
                if let ratio = only.ratio, ratio != 100 {
                    throw .field("shares[\(only.index)].ratio", "\(only.payer) alone pays pages \(selection.pages) × \(selection.copies); a ratio of \(ratio) leaves \(100 - ratio)% unpaid (omit it, or share the part with another payer)")
                }
                payers = [SplitPayerShare(payer: only.payer, percent: 100)]
            } else {
                for member in members where member.ratio == nil {
                    throw .field("shares[\(member.index)].ratio", "\(member.payer) shares pages \(selection.pages) × \(selection.copies) with others; each of them needs a ratio")
                }
                let sum = members.reduce(0) { $0 + $1.ratio! }
                guard sum == 100 else {
                    throw .field("shares", "the ratios of the payers who share pages \(selection.pages) × \(selection.copies) (\(members.map { "\($0.payer)" }.joined(separator: ", "))) sum to \(sum), not 100")
                }
                payers = members.map { SplitPayerShare(payer: $0.payer, percent: $0.ratio!) }
            }
            parts.append(SplitPart(index: parts.count, pages: selection.pages, copies: selection.copies, method: selection.method, payers: payers))
        }
        let explicit = order.enumerated().filter { $0.element.explicit }
        for (a, first) in explicit.enumerated() {
            for second in explicit[(a + 1)...] where first.element.pages.overlaps(second.element.pages) {
                let one = groups[first.element]![0], other = groups[second.element]![0]
                throw .field("shares[\(other.index)].pages", "pages \(second.element.pages) of \(other.payer) overlap pages \(first.element.pages) of \(one.payer)")
            }
        }
        return parts
    }

    private static func checkPaperType(_ text: String, field: String) throws(SplitError) {
        guard !text.isEmpty, text.count <= paperTypeLimit, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw .field(field, "must be 1 to \(paperTypeLimit) letters, digits, - or _, got \"\(text)\"")
        }
        // A letter may carry a zero-width joiner (one Character), which the test above lets by.
        if let problem = HiddenCharacters.problem(in: text) { throw .field(field, problem) }
    }

    /// Splits `total` by `percents` (summing to 100) so the shares sum to `total` exactly:
    /// each gets the floor of its percent, the remainder goes one unit at a time to the largest
    /// fractions (ties: the earlier payer).
    public static func apportion(_ total: Int64, percents: [Int]) -> [Int64] {
        let exact = percents.map { Int64($0) * total }
        var shares = exact.map { $0 / 100 }
        var left = total - shares.reduce(0, +)
        let byRemainder = exact.indices.sorted { (exact[$0] % 100, -$0) > (exact[$1] % 100, -$1) }
        var next = 0
        while left > 0, !byRemainder.isEmpty {
            shares[byRemainder[next % byRemainder.count]] += 1
            left -= 1
            next += 1
        }
        return shares
    }
}
