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
    /// Stores `outcome.job` if the parts it changes are still as in `expected` (else
    /// `StoreError.conflict`; a change to another part is no conflict),
    /// charges `charges`, deletes the PDFs of `outcome.ended`, sends the notices, appends `audit`.
    func saveSplitOutcome(_ outcome: SplitJobFlow.Outcome, expected: SplitJob, charges: [SplitCharge], audit: [AuditRecord]) async throws
    /// Ids of jobs with a payer still open at `now` past the deadline.
    func splitJobsDue(now: Timestamp) async throws -> [String]
    /// Released parts for `device` whose PDF is still held: not yet acknowledged by its agent.
    func splitPartsAwaitingDelivery(device: DeviceID) async throws -> [SplitPartDelivery]
    /// The agent is done with the part: deletes its PDF (size and hash stay), sets
    /// `data_deleted`, appends `audit`, in one transaction. False (nothing written) when the
    /// part is not released, its PDF is already gone, or its hash is not `pdfHash`.
    func markSplitPartDelivered(job: String, part: Int, pdfHash: Hash32, at: Timestamp, audit: AuditRecord) async throws -> Bool
}

/// A released part on its way to the device's agent (docs/protocol-uplink.md, `partOffer`).
public struct SplitPartDelivery: Hashable, Sendable {
    public let job: String
    /// From 0, as stored; the part id counts from 1.
    public let part: Int
    public let copies: Int
    public let colour: Bool
    public let paperSize: PaperSize
    /// Copies × pages: what was charged.
    public let impressions: Int
    public let pdfSize: Int
    public let pdfHash: Hash32

    public init(job: String, part: Int, copies: Int, colour: Bool, paperSize: PaperSize, impressions: Int, pdfSize: Int, pdfHash: Hash32) {
        self.job = job
        self.part = part
        self.copies = copies
        self.colour = colour
        self.paperSize = paperSize
        self.impressions = impressions
        self.pdfSize = pdfSize
        self.pdfHash = pdfHash
    }

    /// `split-<job>-<part from 1>`: the uplink's part id and the print port's job id.
    public var partID: String { "split-\(job)-\(part + 1)" }

    /// The job and stored part index named by a part id, nil if it is not one.
    public static func parse(partID: String) -> (job: String, part: Int)? {
        guard partID.hasPrefix("split-"), let dash = partID.lastIndex(of: "-") else { return nil }
        let job = String(partID[partID.index(partID.startIndex, offsetBy: 6)..<dash])
        guard !job.isEmpty, let number = Int(partID[partID.index(after: dash)...]), number >= 1 else { return nil }
        return (job, number - 1)
    }
}
