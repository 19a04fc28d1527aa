import Protocol

/// The split job's steps (SPEC D2-D4), pure: a person's action or the deadline in, the job
/// after it out, with the parts it released or ended and whom to tell. The service prices the
/// released parts, and the store charges them and deletes the ended parts' PDFs.
public enum SplitJobFlow {
    public struct Outcome: Hashable, Sendable {
        public var job: SplitJob
        /// Parts every payer has now approved: print and charge them.
        public var released: [Int] = []
        /// Parts now ended (rejected or timed out): delete their data.
        public var ended: [Int] = []
        /// (part, payer) whose state changed.
        public var changed: [SplitPayerKey] = []
        public var notices: [Notice] = []
    }

    public struct SplitPayerKey: Hashable, Sendable {
        public let part: Int
        public let payer: UserID
    }

    /// The notices for a new job: each payer is asked.
    public static func created(_ job: SplitJob) -> [Notice] {
        job.parts.flatMap { part in part.payers.map { request(job, part, $0, kind: "split.requested", at: job.created) } }
    }

    /// `event` on `payer`'s share by `person`.
    public static func act(_ event: SplitConsentEvent, payer: UserID, on job: SplitJob, by person: User, at now: Timestamp) throws(SplitError) -> Outcome {
        guard person.active else { throw .forbidden("your account is disabled") }
        guard let partIndex = job.partIndex(of: payer), let payerIndex = job.parts[partIndex].payers.firstIndex(where: { $0.payer == payer }) else {
            throw .notFound("\(payer) is not a payer of split job \(job.id)")
        }
        switch event {
        case .reRequest:
            guard person.id == job.requester else { throw .forbidden("only the requester \(job.requester) may ask a payer again") }
        case .authenticate, .approve, .reject:
            guard person.id == payer else { throw .forbidden("only \(payer) may answer for their share") }
        case .timeout:
            throw .forbidden("a share times out by itself")
        }
        var outcome = Outcome(job: job)
        let before = job.parts[partIndex].status
        guard before == .waiting else { throw .conflict("part \(partIndex + 1) of split job \(job.id) is already \(before)") }
        let share = job.parts[partIndex].payers[payerIndex]
        let state = try SplitConsent.apply(event, to: share.state, deadline: job.deadline, at: now)
        outcome.job.parts[partIndex].payers[payerIndex].state = state
        outcome.job.parts[partIndex].payers[payerIndex].stateAt = now
        outcome.changed = [SplitPayerKey(part: partIndex, payer: payer)]
        let part = outcome.job.parts[partIndex]
        switch event {
        case .reRequest:
            outcome.job.parts[partIndex].payers[payerIndex].requests += 1
            outcome.notices.append(request(job, part, share, kind: "split.re-requested", at: now))
        case .approve:
            outcome.notices.append(notice("split.approved", job, part, recipients: [job.requester], at: now,
                                          text: "\(payer) approved their share of part \(partIndex + 1) of \(job.title) (\(job.id)).", extra: ["payer": payer.value]))
        case .reject:
            outcome.notices.append(notice("split.rejected", job, part, recipients: [job.requester] + part.payers.map(\.payer), at: now,
                                          text: "\(payer) rejected their share of part \(partIndex + 1) of \(job.title) (\(job.id)); the part is ended and its data deleted.",
                                          extra: ["payer": payer.value]))
        case .authenticate, .timeout: break
        }
        settle(&outcome, part: partIndex, before: before, at: now)
        return outcome
    }

    /// Times out every payer still open at or after the deadline; nil when nothing changes.
    public static func sweep(_ job: SplitJob, at now: Timestamp) -> Outcome? {
        guard now >= job.deadline else { return nil }
        var outcome = Outcome(job: job)
        for (partIndex, part) in job.parts.enumerated() {
            let before = part.status
            guard before == .waiting else { continue }
            for (payerIndex, share) in part.payers.enumerated() where share.state.isOpen {
                outcome.job.parts[partIndex].payers[payerIndex].state = .timedOut
                outcome.job.parts[partIndex].payers[payerIndex].stateAt = now
                outcome.changed.append(SplitPayerKey(part: partIndex, payer: share.payer))
            }
            if outcome.job.parts[partIndex].status == .timedOut, before == .waiting {
                let late = part.payers.filter { $0.state.isOpen }.map(\.payer.value)
                outcome.notices.append(notice("split.timed-out", job, outcome.job.parts[partIndex], recipients: [job.requester] + part.payers.map(\.payer), at: now,
                                              text: "Part \(partIndex + 1) of \(job.title) (\(job.id)) was not approved by \(TimeText.iso8601(job.deadline)) (waiting on \(late.joined(separator: ", "))); it is ended and its data deleted.",
                                              extra: ["waiting_on": late.joined(separator: ",")]))
            }
            settle(&outcome, part: partIndex, before: before, at: now)
        }
        return outcome.changed.isEmpty ? nil : outcome
    }

    /// Marks a part released or ended when this step decided it.
    private static func settle(_ outcome: inout Outcome, part index: Int, before: SplitPartStatus, at now: Timestamp) {
        let after = outcome.job.parts[index].status
        guard before == .waiting, after != .waiting else { return }
        if after == .released {
            outcome.job.parts[index].released = now
            outcome.released.append(index)
            let part = outcome.job.parts[index]
            outcome.notices.append(notice("split.released", outcome.job, part, recipients: [outcome.job.requester] + part.payers.map(\.payer), at: now,
                                          text: "Part \(index + 1) of \(outcome.job.title) (\(outcome.job.id)) is approved by every payer and released to \(outcome.job.device).",
                                          extra: [:]))
        } else {
            outcome.job.parts[index].ended = now
            outcome.job.parts[index].dataDeleted = now
            outcome.ended.append(index)
        }
    }

    private static func request(_ job: SplitJob, _ part: SplitJobPart, _ share: SplitJobPayer, kind: String, at now: Timestamp) -> Notice {
        let method = "\(part.method.colour ? "colour" : "mono") \(part.method.paperSize) \(part.method.paperType)"
        return notice(kind, job, part, recipients: [share.payer], at: now,
                      text: "\(job.requester) asks you to pay \(share.percent)% of pages \(part.pages) × \(part.copies) (\(method)) of \(job.title) (\(job.id)). Log in, then approve or reject by \(TimeText.iso8601(job.deadline)).",
                      extra: ["payer": share.payer.value, "percent": "\(share.percent)", "deadline": TimeText.iso8601(job.deadline)])
    }

    private static func notice(_ kind: String, _ job: SplitJob, _ part: SplitJobPart, recipients: [UserID], at now: Timestamp, text: String, extra: [String: String]) -> Notice {
        var details = [
            "split_job": job.id, "part": "\(part.index + 1)", "pages": "\(part.pages)", "copies": "\(part.copies)",
            "colour": part.method.colour ? "true" : "false", "paper_size": "\(part.method.paperSize)", "paper_type": part.method.paperType,
            "requester": job.requester.value, "status": part.status.rawValue,
        ]
        details.merge(extra) { _, new in new }
        return Notice(kind: kind, subject: "split-job:\(job.id)", recipients: recipients, text: text, details: details, at: now)
    }
}
