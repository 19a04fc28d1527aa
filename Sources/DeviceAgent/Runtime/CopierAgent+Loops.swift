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

    /// Reads the jobs finished after the last one stored, up to the status's latest job.
    private func readJobs(announcedBy status: CopierStatusBlock) async {
        guard let lastSeen = (try? store.lastSeenCopierJob()) ?? nil else { return }
        switch CopierJobRing.plan(lastSeen: lastSeen, latest: status.latestJobSequence) {
        case .upToDate:
            return
        case .counterWentBack:
            _ = try? await store.appendJob(
                .fault(try! FaultEvent(component: "copier", code: 11, message: "job counter went back from \(lastSeen) to \(status.latestJobSequence)")),
                copierJobSequence: status.latestJobSequence, at: clock.now())
        case let .read(sequences, lost):
            for sequence in sequences {
                if lost?.contains(sequence) == true {
                    _ = try? await store.appendJob(
                        .fault(try! FaultEvent(component: "copier", code: 12, message: "job \(sequence) was overwritten before it was read")),
                        copierJobSequence: sequence, at: clock.now())
                    continue
                }
                guard let reading = try? await link.jobSlot(sequence: sequence) else { return }
                switch reading {
                case let .record(record):
                    await deliver(record)
                case let .overwritten(by):
                    _ = try? await store.appendJob(
                        .fault(try! FaultEvent(component: "copier", code: 12, message: "job \(sequence) was overwritten by job \(by) before it was read")),
                        copierJobSequence: sequence, at: clock.now())
                case .notYetWritten:
                    await recordFault(component: "copier", code: 13, "job \(sequence) is announced but its slot is not written")
                    return
                }
            }
        }
    }

    /// A job of the open session goes through the machine (it may end the session); a job of an
    /// earlier session is recorded under that session's user; a job of no known session is a fault.
    private func deliver(_ record: CopierJobRecord) async {
        if let run = partPrintsByTag.removeValue(forKey: record.sessionTag) {
            await recordPartPrint(record, run: run)
        } else if let open = session.openSession, open.tag == record.sessionTag {
            _ = await feed(.jobFinished(record))
        } else if let authorization = sessionsByTag[record.sessionTag] {
            await recordJob(record, authorization: authorization, tag: record.sessionTag)
        } else {
            _ = try? await store.appendJob(
                .fault(try! FaultEvent(component: "copier", code: 14, message: "job \(record.sequence) (\(record.pages) pages) of unknown session \(record.sessionTag)")),
                copierJobSequence: record.sequence, at: clock.now())
        }
    }
}
