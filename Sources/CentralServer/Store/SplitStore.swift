import Protocol

/// A released part's charge to one payer, written like an ingested copy job's: a `jobs` row,
/// a `charges` row and a `use` ledger entry, in the transaction that releases the part.
public struct SplitCharge: Hashable, Sendable {
    /// `split-<job>-<part>-<payer>`: the job record's id.
    public let id: String
    public let payer: UserID
    public let device: DeviceID
    public let paperSize: PaperSize
    public let colour: Bool
    /// The payer's share of the part's printed pages (pages × copies, by percent).
    public let pages: Int64
    public let copies: Int64
    public let amount: Int64
    public let currency: CurrencyCode?
    public let at: Timestamp

    public init(id: String, payer: UserID, device: DeviceID, paperSize: PaperSize, colour: Bool, pages: Int64, copies: Int64, amount: Int64, currency: CurrencyCode?, at: Timestamp) {
        self.id = id
        self.payer = payer
        self.device = device
        self.paperSize = paperSize
        self.colour = colour
        self.pages = pages
        self.copies = copies
        self.amount = amount
        self.currency = currency
        self.at = at
    }
}

/// The part of the store that keeps split jobs (SPEC D). Each change writes its notices and
/// audit records in the same transaction; ending a part deletes its PDF bytes in it too.
public protocol SplitStore: Sendable {
    /// Stores a new job with one PDF per part (`pdfs[i]` for part i).
    func createSplitJob(_ job: SplitJob, pdfs: [[UInt8]], notices: [Notice], audit: AuditRecord) async throws
    func splitJob(id: String) async throws -> SplitJob?
    /// Jobs `user` requested or pays (every job when nil), newest first.
    func splitJobs(involving user: UserID?, limit: Int) async throws -> [SplitJob]
    /// A part's PDF; nil once it was deleted.
    func splitPartPDF(job: String, part: Int) async throws -> [UInt8]?
    /// Stores `outcome.job` if the stored job is still `expected` (else `StoreError.conflict`),
    /// charges `charges`, deletes the PDFs of `outcome.ended`, sends the notices, appends `audit`.
    func saveSplitOutcome(_ outcome: SplitJobFlow.Outcome, expected: SplitJob, charges: [SplitCharge], audit: [AuditRecord]) async throws
    /// Ids of jobs with a payer still open at `now` past the deadline.
    func splitJobsDue(now: Timestamp) async throws -> [String]
}
