import Protocol

/// Time, pages, jobs and faults: the controller's rules from docs/modbus-map.md, "What the
/// controller does".
extension CopierController {
    /// Brings the controller to `now`: every watchdog expiry and page due by then happens, in
    /// time order (a page due at the very instant the watchdog runs out is not produced).
    public mutating func tick(now instant: Duration) {
        let target = max(instant, now)
        while true {
            let deadline = relay ? watchdogDeadline : nil
            let pageDue = currentJob?.nextPageAt
            if let deadline, deadline <= target, pageDue.map({ deadline <= $0 }) ?? true {
                now = deadline
                switchRelayOff(ending: .watchdogExpired)
            } else if let pageDue, pageDue <= target {
                now = pageDue
                producePage()
            } else {
                break
            }
        }
        now = target
    }

    /// Starts a job at the panel; returns its sequence. Pages come out one page interval apart
    /// from `now` on, as `tick` reaches them.
    public mutating func startJob(_ request: CopierJobRequest, now instant: Duration) throws(CopierJobRefusal) -> UInt32 {
        tick(now: instant)
        if fault != .none { throw .fault(fault) }
        guard relay else { throw .locked }
        if let job = currentJob { throw .busy(sequence: job.sequence) }
        guard model.paperSizes.contains(request.paper) else { throw .paperNotSupported(request.paper, model: model) }
        // After 2³²-1 jobs the counter starts again at 1; the agent sees it go back and records
        // a fault, as for a replaced controller.
        let sequence = latestSequence == .max ? 1 : latestSequence + 1
        currentJob = CopierJobProgress(
            sequence: sequence, request: request, sessionTag: sessionTag,
            printsColour: request.colour && model.producesColour, nextPageAt: now + pageRate.interval
        )
        return sequence
    }

    /// Cancels the running job at the panel; returns its record, or nil when none runs.
    @discardableResult
    public mutating func cancelJob(now instant: Duration) -> CopierJobRecord? {
        tick(now: instant)
        guard currentJob != nil else { return nil }
        return endJob(.cancelled)
    }

    /// A hardware fault (paper jam, door open, ...): state 3, relay and budget 0, a running job
    /// ends with reason 4. `.none` clears, as `clearFault`. A new fault replaces the current one.
    public mutating func injectFault(_ newFault: CopierFault, now instant: Duration) {
        tick(now: instant)
        guard newFault != .none else { return clearFault(now: instant) }
        fault = newFault
        switchRelayOff(ending: .fault)
    }

    /// The fault is cleared at the copier: fault code 0, state 0 (locked).
    public mutating func clearFault(now instant: Duration) {
        tick(now: instant)
        fault = .none
    }

    /// Relay to 1: the watchdog starts (or restarts, for a repeated write) with holding 0.
    mutating func switchRelayOn() {
        relay = true
        watchdogDeadline = now + .milliseconds(Int64(watchdogTimeout))
    }

    /// Relay to 0 for whatever reason: budget 0, watchdog stopped, a running job ends after the
    /// page in progress (pages are instants here, so at once) with `reason`.
    mutating func switchRelayOff(ending reason: CopierJobEnd) {
        relay = false
        watchdogDeadline = nil
        pageBudget = 0
        if currentJob != nil { endJob(reason) }
    }

    private mutating func producePage() {
        guard var job = currentJob else { return }
        let number = job.pagesPrinted + 1
        if job.printsColour { job.colourPages += 1 } else { job.monoPages += 1 }
        totals.count(colour: job.printsColour)
        pageBudget -= 1  // the relay is 1, so the budget is at least 1
        let position = job.request.position(ofPage: number)
        events.append(.pagePrinted(CopierPage(
            sequence: job.sequence, number: number, of: job.request.totalPages, copy: position.copy,
            original: position.original, side: position.side, colour: job.printsColour,
            duplex: job.request.duplex, paper: job.request.paper
        )))
        job.nextPageAt += pageRate.interval
        currentJob = job
        if number == job.request.totalPages {
            // Every page is out: the job completed, even if that page also used the last of the budget.
            endJob(.completed)
            if pageBudget == 0 { switchRelayOff(ending: .budgetExhausted) }
        } else if pageBudget == 0 {
            switchRelayOff(ending: .budgetExhausted)
        }
    }

    /// Writes the record to its slot, THEN the sequence to input 10-11, so that a reader who
    /// sees the new sequence finds the record.
    @discardableResult
    private mutating func endJob(_ reason: CopierJobEnd) -> CopierJobRecord? {
        guard let job = currentJob else { return nil }
        currentJob = nil
        // Cannot fail: the sequence is never 0, copies at least 1, and colour + mono is at most
        // 65535 × 65535 pages.
        guard let record = try? CopierJobRecord(
            sequence: job.sequence, sessionTag: job.sessionTag, colourPages: job.colourPages,
            monoPages: job.monoPages, copies: job.request.copies, duplex: job.request.duplex,
            paperSize: job.request.paper, end: reason
        ) else { preconditionFailure("job \(job.sequence) does not make a record") }
        ring[CopierJobRing.slotIndex(for: record.sequence)] = record
        latestSequence = record.sequence
        events.append(.jobEnded(record))
        return record
    }
}
