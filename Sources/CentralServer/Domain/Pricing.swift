import Protocol

/// The price of one page of one paper size in colour or mono, in minor units of a currency.
public struct Price: Hashable, Sendable {
    public let paperSize: PaperSize
    public let colour: Bool
    public let pricePerPage: UInt32
    public let currency: CurrencyCode

    public init(paperSize: PaperSize, colour: Bool, pricePerPage: UInt32, currency: CurrencyCode) {
        self.paperSize = paperSize
        self.colour = colour
        self.pricePerPage = pricePerPage
        self.currency = currency
    }

    /// The prices in `currency` as the table a limit grant carries.
    public static func table(_ prices: [Price], currency: CurrencyCode) -> PriceTable {
        let entries = prices.filter { $0.currency == currency }.compactMap {
            try? PagePrice(paperSize: $0.paperSize, colour: $0.colour, pricePerPage: $0.pricePerPage)
        }
        // One row per (paper, colour, currency) in the store, so there are no repeats.
        return (try? PriceTable(entries)) ?? .empty
    }
}

/// The kinds of ledger entries. The ledger is append-only: balances are sums, never edited.
public enum LedgerKind: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Pages printed (and what they cost), from an ingested copy job.
    case use
    /// Money paid: raises the first limit (SPEC B4).
    case payment
    /// A change to the adjustment in this period only, positive or negative.
    case adjustment
    /// The standing first limit from now on (an administrator set it; SPEC B1).
    case limit
    /// The standing adjustment (overdraft) from now on (SPEC B2).
    case overdraft

    public var description: String { rawValue }
}

/// One ledger entry. `pages` and `amount` carry the entry in both units where it has both (a
/// use: pages printed and their cost), so a page quota and a money quota read the same ledger.
public struct LedgerEntry: Hashable, Sendable {
    public let id: Int64?
    public let userID: UserID
    public let at: Timestamp
    public let kind: LedgerKind
    public let pages: Int64
    /// Minor units of `currency`; 0 with no currency when the entry has no money value.
    public let amount: Int64
    public let currency: CurrencyCode?
    /// The copy job a use entry charges.
    public let jobID: String?
    public let note: String
    public let actor: String

    public init(
        id: Int64? = nil, userID: UserID, at: Timestamp, kind: LedgerKind, pages: Int64 = 0, amount: Int64 = 0,
        currency: CurrencyCode? = nil, jobID: String? = nil, note: String = "", actor: String
    ) {
        self.id = id
        self.userID = userID
        self.at = at
        self.kind = kind
        self.pages = pages
        self.amount = amount
        self.currency = currency
        self.jobID = jobID
        self.note = note
        self.actor = actor
    }
}

/// A copy job as ingested from a device's events (filled by ingestion, listed by the REST API).
public struct JobRecord: Hashable, Sendable {
    public let id: String
    public let deviceID: DeviceID
    public let userID: UserID
    public let grantID: String?
    public let paperSize: PaperSize
    public let colour: Bool
    public let pages: Int64
    public let copies: Int64
    public let duplex: Bool
    public let started: Timestamp
    public let ended: Timestamp

    public init(
        id: String, deviceID: DeviceID, userID: UserID, grantID: String?, paperSize: PaperSize, colour: Bool,
        pages: Int64, copies: Int64, duplex: Bool, started: Timestamp, ended: Timestamp
    ) {
        self.id = id
        self.deviceID = deviceID
        self.userID = userID
        self.grantID = grantID
        self.paperSize = paperSize
        self.colour = colour
        self.pages = pages
        self.copies = copies
        self.duplex = duplex
        self.started = started
        self.ended = ended
    }
}

/// What a job cost one user (a split job has one charge per payer, SPEC D).
public struct ChargeRecord: Hashable, Sendable {
    public let id: Int64
    public let jobID: String
    public let userID: UserID
    public let pages: Int64
    public let amount: Int64
    public let currency: CurrencyCode?
    public let at: Timestamp

    public init(id: Int64, jobID: String, userID: UserID, pages: Int64, amount: Int64, currency: CurrencyCode?, at: Timestamp) {
        self.id = id
        self.jobID = jobID
        self.userID = userID
        self.pages = pages
        self.amount = amount
        self.currency = currency
        self.at = at
    }
}
