import Logging
import Protocol

/// Split charges as a service (SPEC D1-D4): takes an uploaded PDF and its split, counts and
/// extracts pages with `PDFTool`, lets the pure `SplitPlanner`/`SplitJobFlow` decide each step,
/// prices released parts like copy jobs (`JobPricing`), and stores the result with its notices
/// (inbox + webhook outbox) and audit records.
public final class SplitService: Sendable {
    public let store: any ServerStore
    public let clock: any ServerClock
    public let pdf: PDFTool
    /// How long payers have to answer (SPEC D4), in milliseconds.
    public let timeout: Int64
    public static let maximumPDFSize = 32 * 1024 * 1024
    public static let titleLimit = 200
    /// Pushes a released part to its device's agent; nil: parts wait for the device's next connection.
    public let releaser: SplitReleaser?
    private let logger: Logger
    private let pinCheck: PINCheck

    public init(store: any ServerStore, clock: any ServerClock, pdf: PDFTool = PDFTool(), timeout: Int64 = SplitConsent.defaultTimeout,
                releaser: SplitReleaser? = nil, policy: GrantPolicy = GrantPolicy(), logger: Logger) {
        self.store = store
        pinCheck = PINCheck(store: store, policy: policy)
        self.releaser = releaser
        self.clock = clock
        self.pdf = pdf
        self.timeout = timeout
        self.logger = logger
    }

    /// A new split job by `requester` for `pdfBytes` to be printed on `device`.
    public func create(pdf pdfBytes: [UInt8], split: SplitRequest, title: String, device deviceText: String, by requester: User, from source: String) async throws -> SplitJob {
        guard requester.active, requester.has(.employee) else { throw SplitError.forbidden("only an active employee may hold a print job") }
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= Self.titleLimit else { throw SplitError.field("title", "must be 1 to \(Self.titleLimit) characters") }
        if let problem = HiddenCharacters.problem(in: title) { throw SplitError.field("title", problem) }
        let deviceID: DeviceID
        do { deviceID = try DeviceID(deviceText) } catch { throw SplitError.field("device", "\(error)") }
        guard let device = try await store.device(id: deviceID), device.resources.contains(where: { $0.type == .copier }) else {
            throw SplitError.missing(InputError(field: "device", "no enrolled device \"\(deviceID)\" with a copier"))
        }
        guard !pdfBytes.isEmpty else { throw SplitError.field("pdf", "the body is empty; send the PDF as the body (Content-Type: application/pdf)") }
        guard pdfBytes.count <= Self.maximumPDFSize else { throw SplitError.field("pdf", "at most \(Self.maximumPDFSize) bytes") }
        let tool = pdf
        let pageCount: Int
        switch await BlockingWork.run({ Result { () throws(PDFTool.Failure) in try tool.pageCount(pdfBytes) } }) {
        case let .success(count): pageCount = count
        case let .failure(.malformed(detail)): throw SplitError.field("pdf", "not a readable PDF: \(detail)")
        case let .failure(other): throw other
        }
        var payers: [UserID: User] = [:]
        for share in split.shares {
            if let id = try? UserID(share.payer), let user = try await store.user(id: id), user.active { payers[id] = user }
        }
        let plan = try SplitPlanner.plan(split, pageCount: pageCount, requester: requester.id) { payers[$0] != nil }
        var pdfs: [[UInt8]] = []
        for part in plan {
            let range = part.pages
            let extracted = await BlockingWork.run { Result { () throws(PDFTool.Failure) in try tool.extract(pdfBytes, first: range.first, last: range.last) } }
            pdfs.append(try extracted.get())
        }
        let now = clock.now()
        var generator = SystemRandomNumberGenerator()
        let id = "sj-" + Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let parts = zip(plan, pdfs).map { part, bytes in
            SplitJobPart(
                index: part.index, pages: part.pages, copies: part.copies, method: part.method,
                payers: part.payers.map { SplitJobPayer(payer: $0.payer, percent: $0.percent, state: .requesting, stateAt: now, requests: 1) },
                pdfSize: bytes.count, pdfHash: Hash32.sha256(bytes)
            )
        }
        let job = SplitJob(id: id, requester: requester.id, device: device.id, title: title, pageCount: pageCount, created: now,
                           deadline: now.adding(milliseconds: timeout), parts: parts)
        let audit = AuditActor.user(requester.id, from: source).record("split.create", target: "split-job:\(id)", details: [
            "title": title, "device": device.id.value, "pages": "\(pageCount)", "pdf_sha256": Hash32.sha256(pdfBytes).description,
            "payers": parts.flatMap { part in part.payers.map { "\($0.payer)@\(part.index + 1):\($0.percent)%" } }.joined(separator: ","),
            "deadline": TimeText.iso8601(job.deadline),
        ], at: now)
        try await store.createSplitJob(job, pdfs: pdfs, notices: SplitJobFlow.created(job), audit: audit)
        return job
    }

    /// `event` by `person` on `payer`'s share of job `id`. `pin` is needed to authenticate.
    public func act(_ event: SplitConsentEvent, job id: String, payer payerText: String, pin: String?, by person: User, from source: String) async throws -> SplitJob {
        guard let job = try await store.splitJob(id: id), SplitService.mayRead(job, person) else { throw SplitError.notFound("split job \(id) not found") }
        let payer: UserID
        do { payer = try UserID(payerText) } catch { throw SplitError.field("payer", "\(error)") }
        let now = clock.now()
        let actor = AuditActor.user(person.id, from: source)
        if event == .authenticate {
            guard let pin, !pin.isEmpty else { throw SplitError.field("pin", "your PIN is needed to authenticate") }
            guard person.id == payer else { throw SplitError.forbidden("only \(payer) may answer for their share") }
            guard let hash = person.pinHash else { throw SplitError.forbidden("no PIN is set for you; ask an administrator") }
            // The same count of wrong PINs as at the devices (the job's device's, and the
            // payer's): before, this path had no limit (60 guesses in 2 s, issue 21).
            let checked = try await pinCheck.check(pin, hash: hash, user: person.id, device: job.device, now: now)
            switch checked.verdict {
            case .matched:
                break
            case let .locked(until):
                let seconds = (until.milliseconds(since: now) + 999) / 1000
                throw SplitError.rateLimited("too many wrong PINs; PIN entry is locked until \(TimeText.iso8601(until))", retryAfter: seconds)
            case .mismatched:
                try await store.appendAudit(actor.record("split.authenticate-failed", target: "split-job:\(id)", details: ["payer": payer.value], at: now))
                throw SplitError.forbidden("the PIN is not right")
            }
        }
        // The job can change under the answer: the copier prints another payer's part, the sweeper
        // ends a part. That is no reason to refuse this payer (CI saw a 409 on an authenticate while
        // the other part printed), so the answer is applied again to the job as it now is; the PIN
        // is not checked again. A change that does bear on it makes the flow itself refuse.
        var current = job
        var attempt = 0
        while true {
            attempt += 1
            let outcome = try SplitJobFlow.act(event, payer: payer, on: current, by: person, at: now)
            var audit = [actor.record(Self.auditAction(event), target: "split-job:\(id)", details: ["payer": payer.value, "part": "\(current.partIndex(of: payer)! + 1)"], at: now)]
            audit += Self.partRecords(outcome, at: now)
            do {
                try await store.saveSplitOutcome(outcome, expected: current, charges: try await charges(outcome), audit: audit)
            } catch StoreError.conflict where attempt < Self.conflictRetries {
                guard let reread = try await store.splitJob(id: id) else { throw SplitError.notFound("split job \(id) not found") }
                current = reread
                continue
            }
            if !outcome.released.isEmpty, let releaser { await releaser.deliver(to: job.device) }
            return try await store.splitJob(id: id) ?? outcome.job
        }
    }

    /// How often an answer is applied again when the job changed meanwhile before the 409 goes out.
    static let conflictRetries = 5

    /// Ends every part whose deadline passed (SPEC D4) as of now; returns how many jobs changed.
    @discardableResult
    public func sweep() async throws -> Int {
        let now = clock.now()
        var changed = 0
        for id in try await store.splitJobsDue(now: now) {
            guard let job = try await store.splitJob(id: id), let outcome = SplitJobFlow.sweep(job, at: now) else { continue }
            let audit = [AuditActor(actor: "system:split-sweeper", source: "server").record(
                "split.timeout", target: "split-job:\(id)",
                details: ["payers": outcome.changed.map(\.payer.value).joined(separator: ","), "deadline": TimeText.iso8601(job.deadline)], at: now
            )] + Self.partRecords(outcome, at: now)
            do {
                try await store.saveSplitOutcome(outcome, expected: job, charges: [], audit: audit)
                changed += 1
                logger.info("split job timed out", metadata: ["job": "\(id)", "parts_ended": "\(outcome.ended.count)"])
            } catch StoreError.conflict {
                continue // someone answered meanwhile; the next pass looks again
            }
        }
        return changed
    }

    public static func mayRead(_ job: SplitJob, _ user: User) -> Bool {
        job.participants.contains(user.id) || user.has(.auditor) || user.has(.administrator)
    }

    public func detail(_ id: String, for user: User) async throws -> SplitJob {
        guard let job = try await store.splitJob(id: id), Self.mayRead(job, user) else { throw SplitError.notFound("split job \(id) not found") }
        return job
    }

    /// The charge of each payer of each released part, priced as a copy job of the part's pages.
    private func charges(_ outcome: SplitJobFlow.Outcome) async throws -> [SplitCharge] {
        guard !outcome.released.isEmpty else { return [] }
        let prices = try await store.prices()
        var charges: [SplitCharge] = []
        for index in outcome.released {
            let part = outcome.job.parts[index]
            let printed = Int64(part.printedPages)
            let percents = part.payers.map(\.percent)
            let pageShares = SplitPlanner.apportion(printed, percents: percents)
            for (position, share) in part.payers.enumerated() {
                var currency: CurrencyCode?
                if let quota = try await store.quota(userID: share.payer), case let .money(code) = quota.unit { currency = code }
                // The plan bounds pages and copies (SplitPlan.maximumCopies), so no part reaches
                // JobPricing's bound; were one to, it is released uncharged and said loudly.
                guard let total = JobPricing.price(colourPages: part.method.colour ? printed : 0, monoPages: part.method.colour ? 0 : printed,
                                                   paperSize: part.method.paperSize, prices: prices, currency: currency) else {
                    logger.error("split: part \(index + 1) of \(outcome.job.id) (\(printed) pages) is priced beyond \(JobPricing.maximumAmount); not charged")
                    continue
                }
                let amount = SplitPlanner.apportion(total.amount, percents: percents)[position]
                charges.append(SplitCharge(
                    id: "split-\(outcome.job.id)-\(index + 1)-\(share.payer)", payer: share.payer, device: outcome.job.device,
                    paperSize: part.method.paperSize, colour: part.method.colour, pages: pageShares[position], copies: Int64(part.copies),
                    amount: amount, currency: total.currency, at: part.released ?? clock.now()
                ))
            }
        }
        return charges
    }

    /// The record of each part released or ended (D4: "with a record that it happened").
    private static func partRecords(_ outcome: SplitJobFlow.Outcome, at now: Timestamp) -> [AuditRecord] {
        let system = AuditActor(actor: "system:split", source: "server")
        let job = outcome.job
        return outcome.released.map { index in
            system.record("split.part-released", target: "split-job:\(job.id)", details: ["part": "\(index + 1)", "device": job.device.value], at: now)
        } + outcome.ended.map { index in
            system.record("split.part-deleted", target: "split-job:\(job.id)", details: [
                "part": "\(index + 1)", "status": job.parts[index].status.rawValue,
                "pdf_sha256": job.parts[index].pdfHash.description, "pdf_size": "\(job.parts[index].pdfSize)",
            ], at: now)
        }
    }

    private static func auditAction(_ event: SplitConsentEvent) -> String {
        switch event {
        case .authenticate: return "split.authenticate"
        case .approve: return "split.approve"
        case .reject: return "split.reject"
        case .reRequest: return "split.re-request"
        case .timeout: return "split.timeout"
        }
    }
}
