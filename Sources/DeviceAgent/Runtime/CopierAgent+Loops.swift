import Foundation
import Protocol

extension CopierAgent {
    /// Writes relay 0 until the copier confirms it; sets the watchdog period; takes the ring
    /// position. Retries with jittered backoff: nothing else happens before the lock holds.
    func forceLockUntilConfirmed() async {
        var backoff = Backoff(baseMilliseconds: 100, capMilliseconds: 5_000)
        var generator = SystemRandomNumberGenerator()
        var reported = false
        while !stopped {
            do {
                try await link.forceLock()
                try await link.setWatchdog(milliseconds: settings.watchdogMilliseconds)
                let status = try await link.status()
                lastContact = .now
                lastStatus = status
                if (try? store.lastSeenCopierJob()) ?? nil == nil {
                    // A new agent starts at the copier's current job: older jobs are not its to log.
                    _ = try? await store.appendJob(
                        .fault(try FaultEvent(component: "copier", code: 10, message: "agent started at copier job \(status.latestJobSequence)")),
                        copierJobSequence: status.latestJobSequence, at: clock.now())
                }
                return
            } catch {
                if !reported {
                    await recordFault(component: "copier", code: 8, "cannot lock the copier at start-up, retrying: \(error)")
                    reported = true
                }
                let wait = backoff.next(using: &generator)
                try? await Task.sleep(for: .milliseconds(wait))
            }
        }
    }

    /// After a start (or restart) with the relay forced off: waits for the copier to finish the
    /// page in progress, stores every job it ran since the last one stored — each charged to the
    /// session its tag names, from the sessions written ahead in the store — and closes the
    /// sessions the last run left open. All before the first tap is taken, so the pages of an
    /// interrupted job count against the user's limit the moment the agent is back (H1).
    func recoverInterruptedSessions() async {
        let deadline = ContinuousClock.now + .milliseconds(Int64(settings.watchdogMilliseconds) + 3_000)
        while !stopped, ContinuousClock.now < deadline, let status = try? await link.status(), status.state == .copying {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await pollJobs()
        let open: [DurableCopierSession]
        do { open = try store.openCopierSessions() } catch {
            await recordFault(component: "store", code: 17, "cannot read the sessions open at the last stop: \(error)")
            return
        }
        for durable in open where durable.tag != session.openSession?.tag {
            logger.notice("closing session \(durable.tag) of \(durable.user), left open by the last run")
            await recordClosed(durable, reason: .agentRestart)
        }
    }

    func tickLoop() async {
        while !Task.isCancelled && !stopped {
            try? await Task.sleep(for: .milliseconds(250))
            _ = await feed(.tick)
            await checkLink()
        }
    }

    func pollLoop() async {
        while !Task.isCancelled && !stopped {
            let active = session.openSession != nil
            try? await Task.sleep(for: .milliseconds(active ? settings.activePollMilliseconds : settings.idlePollMilliseconds))
            if case .starting = session.phase { continue }
            await pollStatus()
        }
    }

    /// With a session open and no answer from the copier for a whole watchdog period, ask it
    /// once more: a copier that answers with its relay on is fine (we were only slow); one whose
    /// relay is off has locked itself; one that does not answer is lost. Either way the session
    /// ends as a fault. Not before the unlock is confirmed: until then the relay is off anyway,
    /// and the unlock's own outcome (success, exception or timeout) decides.
    private func checkLink() async {
        guard session.openSession?.unlockConfirmed == true, let lastContact else { return }
        guard ContinuousClock.now - lastContact > .milliseconds(Int64(settings.watchdogMilliseconds)) else { return }
        do {
            if try await link.relayIsOn() {
                self.lastContact = .now
                return
            }
            _ = await feed(.relayFoundOff)
        } catch {
            _ = await feed(.linkLost(reason: "no answer from the copier for \(settings.watchdogMilliseconds) ms: \(error)"))
        }
    }

    /// One status read: first the jobs it announces, then the status itself. In that order, so
    /// a copier that locked itself because a job spent the budget is explained by that job's
    /// record (with two reads, the job could end between them and the session was closed as a
    /// fault, the record arriving after).
    func pollStatus() async {
        let generation = unlockGeneration
        do {
            let status = try await link.status()
            lastContact = .now
            await readJobs(announcedBy: status)
            guard generation == unlockGeneration else { return }  // read across an unlock: stale
            if status.state == .copying && lastStatus?.state != .copying { jobStartedAt = clock.now() }
            lastStatus = status
            _ = await feed(.status(status))
        } catch {
            logger.debug("status poll failed: \(error)")
        }
    }

    /// Reads every job finished since the last one stored (docs/modbus-map.md, "How the agent
    /// reads every job once"); jobs overwritten before they were read are recorded as lost.
    func pollJobs() async {
        guard let status = try? await link.status() else { return }
        lastContact = .now
        await readJobs(announcedBy: status)
    }

    /// Reads the jobs finished after the last one stored, up to the status's latest job; one
    /// reader at a time (`readingJobs`), each starting from what the store says was stored.
    private func readJobs(announcedBy status: CopierStatusBlock) async {
        // A job delivered by this reader can end its session, whose lock reads the ring again:
        // that nested read would wait for itself; the outer reader carries on instead.
        guard !Self.readingJobsInThisTask else { return }
        while readingJobs { await withCheckedContinuation { jobReadWaiters.append($0) } }
        readingJobs = true
        defer {
            readingJobs = false
            if !jobReadWaiters.isEmpty { jobReadWaiters.removeFirst().resume() }
        }
        await Self.$readingJobsInThisTask.withValue(true) { await readRing(announcedBy: status) }
    }

    private func readRing(announcedBy status: CopierStatusBlock) async {
        guard let lastSeen = (try? store.lastSeenCopierJob()) ?? nil else { return }
        switch CopierJobRing.plan(lastSeen: lastSeen, latest: status.latestJobSequence) {
        case .upToDate:
            return
        case .counterWentBack:
            await recordRingFault(code: 11, "job counter went back from \(lastSeen) to \(status.latestJobSequence)", moving: status.latestJobSequence)
        case let .read(sequences, lost):
            for sequence in sequences {
                if lost?.contains(sequence) == true {
                    guard await recordRingFault(code: 12, "job \(sequence) was overwritten before it was read", moving: sequence) else { return }
                    continue
                }
                guard let reading = try? await link.jobSlot(sequence: sequence) else { return }
                switch reading {
                case let .record(record):
                    jobNotStored = false
                    await deliver(record)
                    if jobNotStored { return }  // not stored: read again at the next poll
                case let .overwritten(by):
                    guard await recordRingFault(code: 12, "job \(sequence) was overwritten by job \(by) before it was read", moving: sequence) else { return }
                case .notYetWritten:
                    await recordFault(component: "copier", code: 13, "job \(sequence) is announced but its slot is not written")
                    return
                }
            }
        }
    }

    /// A fault about the job ring that moves `lastSeen` to `sequence` with it (a job lost, a
    /// counter that went back). False when it could not be stored: the reader stops there.
    @discardableResult
    private func recordRingFault(code: UInt32, _ message: String, moving sequence: UInt32) async -> Bool {
        logger.error("copier: \(message)")
        do {
            let fault = try FaultEvent(component: "copier", code: code, message: message)
            _ = try await store.appendJob(.fault(fault), copierJobSequence: sequence, at: clock.now())
            return true
        } catch {
            logger.critical("could not record \"\(message)\": \(error)")
            jobNotStored = true
            return false
        }
    }

    /// A job of the open session goes through the machine (it may end the session); a job of an
    /// earlier session, of this run or a previous one, is recorded under that session's user, as
    /// the store wrote it ahead; a job of no session the store knows (tag 0, a foreign tag) is
    /// recorded as a fault naming its pages, never dropped.
    private func deliver(_ record: CopierJobRecord) async {
        if let run = partPrintsByTag.removeValue(forKey: record.sessionTag) {
            await recordPartPrint(record, run: run)
        } else if let open = session.openSession, open.tag == record.sessionTag {
            _ = await feed(.jobFinished(record))
        } else if let durable = await writtenAheadSession(record.sessionTag) {
            await recordJob(record, user: durable.user, grantID: durable.grantID)
        } else {
            await recordRingFault(code: 14, "job \(record.sequence) (\(record.pages) pages) of unknown session \(record.sessionTag)", moving: record.sequence)
        }
    }

    /// The session written ahead under `tag`, from memory or the store.
    private func writtenAheadSession(_ tag: UInt32) async -> DurableCopierSession? {
        if let known = sessions[tag] { return known }
        guard tag != 0 else { return nil }
        do {
            let stored = try store.copierSession(tag: tag)
            sessions[tag] = stored
            return stored
        } catch {
            await recordFault(component: "store", code: 18, "cannot read session \(tag): \(error)")
            jobNotStored = true
            return nil
        }
    }
}
