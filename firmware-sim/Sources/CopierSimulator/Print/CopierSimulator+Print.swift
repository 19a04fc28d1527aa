import Protocol

extension CopierSimulator {
    /// Prints a job that came in on the print port: renders the PDF, then runs it as the
    /// controller runs a copy job (`copies` × the PDF's pages impressions, the same budget,
    /// counters and job record), each impression filing its page in the tray. A locked copier
    /// refuses it as it refuses a copy job: the agent unlocks for a released part
    /// (docs/print-port.md, "Locked copier").
    public func printJob(_ header: PrintJobHeader, pdf: [UInt8]) -> PrintPortReply {
        let rendering: PDFRendering
        do {
            rendering = try renderer.render(pdf)
        } catch {
            switch error {
            case .malformed: return .refused(.pdf, message: error.description)
            case .toolMissing, .io: return .refused(.internalError, message: error.description)
            }
        }
        defer { rendering.remove() }
        let outcome: CopierJobOutcome
        do {
            let request = try CopierJobRequest(
                copies: header.copies, originals: UInt16(rendering.pages.count), colour: header.colour, paper: header.paper
            )
            outcome = try runJob(request, rendering: rendering)
        } catch {
            switch error {
            case .locked: return .refused(.locked, message: error.description)
            case .fault: return .refused(.fault, message: error.description)
            case .busy: return .refused(.busy, message: error.description)
            case .paperNotSupported: return .refused(.paper, message: error.description)
            case .poweringOff: return .refused(.shuttingDown, message: error.description)
            case .noCopies, .noOriginals: return .refused(.header, message: error.description)
            }
        }
        guard let sequence = outcome.sequence else {
            // runJob answers a locked or faulted copier with a job that did not start.
            switch outcome.end {
            case .fault: return .refused(.fault, message: "the copier is in fault")
            case .cancelled: return .refused(.shuttingDown, message: CopierJobRefusal.poweringOff.description)
            default: return .refused(.locked, message: CopierJobRefusal.locked.description)
            }
        }
        if outcome.end == .completed {
            return .printed(jobID: header.jobID, sequence: sequence, pages: outcome.pagesPrinted)
        }
        return .stopped(jobID: header.jobID, sequence: sequence, pages: outcome.pagesPrinted, end: outcome.end)
    }
}
