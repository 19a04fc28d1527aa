import Foundation
import Protocol

/// A released split part in print (docs/print-port.md, "Locked copier").
struct PartPrintRun: Sendable {
    let partID: String
    let pdfHash: Hash32
    let started: Timestamp
}

extension CopierAgent {
    /// Prints a stored part on the print port and returns what to tell the server, or nil when
    /// the copier is in use (a person's session): the part waits for the next try.
    ///
    /// The copier does not know what is paid; the agent does. It unlocks for the part with a
    /// page budget of exactly the impressions paid, so the copier cannot print more than was
    /// charged; sends header and PDF; reads the status line; locks; reads the job record, which
    /// is logged as a `partPrint` event (not a copy job: the server charges nobody for it).
    /// The part is marked `printing` before the first byte goes out and is never sent again.
    public func printPart(_ part: StoredPart, on port: PrintPortClient) async -> UplinkMessage.PartDone? {
        guard part.state == .received, let pdf = part.pdf else { return part.done }
        guard case .locked = session.phase, printing == nil else { return nil }
        let offer = part.offer
        let header: PrintJobHeader
        do {
            header = try PrintJobHeader(jobID: offer.partID, copies: offer.copies, colour: offer.colour, paper: offer.paper, pdfLength: pdf.count)
        } catch {
            return finish(offer, .notPrinted("cannot make a print header: \(error)"))
        }
        let tag: UInt32
        do {
            tag = try store.nextSessionTag()
            try store.markPartPrinting(offer.partID, sessionTag: tag)
        } catch {
            logger.error("split part \(offer.partID): cannot record the print: \(error)")
            return nil
        }
        printing = PartPrintRun(partID: offer.partID, pdfHash: offer.pdfHash, started: clock.now())
        partPrintsByTag[tag] = printing
        heartbeat.wanted = true
        defer {
            printing = nil
            heartbeat.wanted = session.openSession != nil
        }
        do {
            try await link.unlock(sessionTag: tag, pageBudget: offer.impressions)
        } catch {
            try? await link.forceLock()
            return finish(offer, .notPrinted("the copier could not be unlocked for the print: \(error)"))
        }
        let reply = await port.send(header, pdf: pdf, impressions: offer.impressions)
        try? await link.forceLock()
        await pollJobs()
        switch reply {
        case let .success(.printed(_, sequence, pages)), let .success(.stopped(_, sequence, pages, _)):
            return finish(offer, .printed(copierJobSequence: sequence, impressions: pages))
        case let .success(.refused(reason, message)):
            return finish(offer, .notPrinted("refused \(reason.rawValue): \(message)"))
        case let .failure(failure):
            // Whether the copier printed is unknown unless it logged a job under the tag: never send it twice.
            if let logged = partJobsLogged[offer.partID] {
                return finish(offer, .printed(copierJobSequence: logged.sequence, impressions: logged.pages))
            }
            return finish(offer, .notPrinted("\(failure); not sent again so that it is never printed twice"))
        }
    }

    /// Parts left `printing` by a restart: answered from the job the copier logged under their
    /// tag if it did, else as not printed (never sent twice). Call after `start()`.
    public func settleInterruptedParts() async -> [UplinkMessage.PartDone] {
        guard let parts = try? store.storedParts(.printing), !parts.isEmpty else { return [] }
        for part in parts {
            if let tag = part.sessionTag {
                partPrintsByTag[tag] = PartPrintRun(partID: part.offer.partID, pdfHash: part.offer.pdfHash, started: clock.now())
            }
        }
        await pollJobs()
        return parts.compactMap { part in
            if let logged = partJobsLogged[part.offer.partID] {
                return finish(part.offer, .printed(copierJobSequence: logged.sequence, impressions: logged.pages))
            }
            return finish(part.offer, .notPrinted("the agent restarted while printing and the copier logged no job for it; not sent again so that it is never printed twice"))
        }
    }

    private func finish(_ offer: UplinkMessage.PartOffer, _ outcome: UplinkMessage.PartDone.Outcome) -> UplinkMessage.PartDone? {
        do {
            let done = try UplinkMessage.PartDone(partID: offer.partID, pdfHash: offer.pdfHash, outcome: outcome)
            try store.finishPart(done)
            logger.info("split part \(offer.partID): \(outcome)")
            return done
        } catch {
            logger.error("split part \(offer.partID): cannot record the outcome: \(error)")
            return nil
        }
    }

    /// A job record under a part's tag: logged as a part print, never as a person's copy job.
    func recordPartPrint(_ record: CopierJobRecord, run: PartPrintRun) async {
        let now = clock.now()
        do {
            let event = try PartPrintEvent(
                sessionID: UInt64(record.sessionTag), copierJobSequence: record.sequence, partID: run.partID, pdfHash: run.pdfHash,
                pages: record.pages, copies: UInt32(record.copies), colourPages: record.colourPages, monoPages: record.monoPages,
                paperSize: record.paperSize, started: min(run.started, now), ended: now, end: CopyJobEnd(record.end)
            )
            let stored = try await store.appendJob(.partPrint(event), copierJobSequence: record.sequence, at: now)
            clock.observe(stored.time)
            partJobsLogged[run.partID] = (record.sequence, record.pages)
        } catch {
            logger.critical("could not record the print of \(run.partID) (copier job \(record.sequence)): \(error)")
        }
    }
}
