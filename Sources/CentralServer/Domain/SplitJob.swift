import Protocol

/// A held print job whose charge is split among payers (SPEC D), as the server keeps it: the
/// document's facts, the deadline by which payers answer, and its parts with their payers.
/// The PDF bytes of each part live in the store only, and only until the part is ended.
public struct SplitJob: Hashable, Sendable {
    public let id: String
    public let requester: UserID
    /// The copier's device that prints the released parts.
    public let device: DeviceID
    public let title: String
    public let pageCount: Int
    public let created: Timestamp
    /// Payers who have not approved by then are timed out (SPEC D4).
    public let deadline: Timestamp
    public var parts: [SplitJobPart]

    public init(id: String, requester: UserID, device: DeviceID, title: String, pageCount: Int, created: Timestamp, deadline: Timestamp, parts: [SplitJobPart]) {
        self.id = id
        self.requester = requester
        self.device = device
        self.title = title
        self.pageCount = pageCount
        self.created = created
        self.deadline = deadline
        self.parts = parts
    }

    public var participants: Set<UserID> { Set([requester] + parts.flatMap { $0.payers.map(\.payer) }) }

    /// The part `payer` pays (each payer pays one part).
    public func partIndex(of payer: UserID) -> Int? { parts.firstIndex { $0.payers.contains { $0.payer == payer } } }
}

public struct SplitJobPart: Hashable, Sendable {
    public let index: Int
    public let pages: PageRange
    public let copies: Int
    public let method: PrintMethod
    public var payers: [SplitJobPayer]
    /// When every payer approved (printed and charged).
    public var released: Timestamp?
    /// When a rejection or the deadline ended it.
    public var ended: Timestamp?
    /// When its PDF bytes were deleted (with the end).
    public var dataDeleted: Timestamp?
    /// Size and SHA-256 of the part's PDF, kept after the bytes are deleted as a record of what was held.
    public let pdfSize: Int
    public let pdfHash: Hash32

    public init(index: Int, pages: PageRange, copies: Int, method: PrintMethod, payers: [SplitJobPayer], released: Timestamp? = nil,
                ended: Timestamp? = nil, dataDeleted: Timestamp? = nil, pdfSize: Int, pdfHash: Hash32) {
        self.index = index
        self.pages = pages
        self.copies = copies
        self.method = method
        self.payers = payers
        self.released = released
        self.ended = ended
        self.dataDeleted = dataDeleted
        self.pdfSize = pdfSize
        self.pdfHash = pdfHash
    }

    public var status: SplitPartStatus { SplitPartStatus.of(payers.map(\.state)) }
    public var printedPages: Int { pages.count * copies }
}

public struct SplitJobPayer: Hashable, Sendable {
    public let payer: UserID
    public let percent: Int
    public var state: SplitPayerState
    public var stateAt: Timestamp
    /// How many times they were asked (1 at creation, +1 per re-request).
    public var requests: Int
    /// What they were charged when the part was released.
    public var amount: Int64?
    public var currency: CurrencyCode?

    public init(payer: UserID, percent: Int, state: SplitPayerState, stateAt: Timestamp, requests: Int, amount: Int64? = nil, currency: CurrencyCode? = nil) {
        self.payer = payer
        self.percent = percent
        self.state = state
        self.stateAt = stateAt
        self.requests = requests
        self.amount = amount
        self.currency = currency
    }
}
