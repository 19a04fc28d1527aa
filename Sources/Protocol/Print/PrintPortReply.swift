/// The one status line the print port answers for a job (docs/print-port.md), ended by `\n`:
///
/// ```
/// printed <job id> job=<sequence> pages=<impressions>
/// stopped <job id> job=<sequence> pages=<impressions> reason=<budget|locked|watchdog|fault|cancelled>
/// refused <reason>: <message>
/// ```
///
/// `printed` and `stopped` name the copier's job sequence, whose record in the job ring is the
/// one the agent logs, as for a copy job. `refused` means nothing was printed or counted.
public enum PrintPortReply: Hashable, Sendable, CustomStringConvertible {
    case printed(jobID: String, sequence: UInt32, pages: UInt32)
    case stopped(jobID: String, sequence: UInt32, pages: UInt32, end: CopierJobEnd)
    case refused(PrintRefusal, message: String)

    /// Why the print port did not print a job.
    public enum PrintRefusal: String, CaseIterable, Hashable, Sendable {
        /// The relay is 0: no session is open (the agent unlocks for a released part).
        case locked
        case fault
        case busy
        /// The model has no tray for the paper size.
        case paper
        /// The header was not a valid print job header.
        case header
        /// The PDF could not be rendered.
        case pdf
        /// The connection ended before the PDF's last byte.
        case truncated
        case shuttingDown = "shutting-down"
        /// The copier could not store or render the job (disk, tool missing).
        case internalError = "internal"
    }

    public var line: String {
        switch self {
        case let .printed(id, sequence, pages): return "printed \(id) job=\(sequence) pages=\(pages)"
        case let .stopped(id, sequence, pages, end): return "stopped \(id) job=\(sequence) pages=\(pages) reason=\(Self.token(end))"
        case let .refused(reason, message): return "refused \(reason.rawValue): \(message.replacingNewlines)"
        }
    }

    public var description: String { line }

    /// Reads a status line back (the agent does); a line that is not one of the three forms is
    /// refused with what was wrong.
    public init(line: String) throws(WireError) {
        if line.hasPrefix("refused ") {
            let rest = line.dropFirst("refused ".count)
            guard let colon = rest.firstIndex(of: ":"), let reason = PrintRefusal(rawValue: String(rest[..<colon])) else {
                throw .invalidValue(field: "print reply", reason: "unknown refusal in \"\(line)\"")
            }
            self = .refused(reason, message: String(rest[rest.index(after: colon)...]).trimmingLeadingSpace)
            return
        }
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let kind = words.first, kind == "printed" || kind == "stopped", words.count == (kind == "printed" ? 4 : 5) else {
            throw .invalidValue(field: "print reply", reason: "not a print port status line: \"\(line)\"")
        }
        let id = words[1]
        func value(_ index: Int, _ key: String) throws(WireError) -> String {
            guard words[index].hasPrefix(key + "=") else {
                throw .invalidValue(field: "print reply", reason: "expected \(key)= in \"\(line)\"")
            }
            return String(words[index].dropFirst(key.count + 1))
        }
        guard let sequence = UInt32(try value(2, "job")), sequence > 0 else { throw .invalidValue(field: "print reply job", reason: "not a job sequence in \"\(line)\"") }
        guard let pages = UInt32(try value(3, "pages")) else { throw .invalidValue(field: "print reply pages", reason: "not a page count in \"\(line)\"") }
        if kind == "printed" {
            self = .printed(jobID: id, sequence: sequence, pages: pages)
        } else {
            let token = try value(4, "reason")
            guard let end = CopierJobEnd.allCases.first(where: { $0 != .completed && Self.token($0) == token }) else {
                throw .invalidValue(field: "print reply reason", reason: "unknown reason \"\(token)\"")
            }
            self = .stopped(jobID: id, sequence: sequence, pages: pages, end: end)
        }
    }

    private static func token(_ end: CopierJobEnd) -> String {
        switch end {
        case .completed: return "completed"
        case .budgetExhausted: return "budget"
        case .lockedByAgent: return "locked"
        case .watchdogExpired: return "watchdog"
        case .fault: return "fault"
        case .cancelled: return "cancelled"
        }
    }
}

extension String {
    fileprivate var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
    fileprivate var trimmingLeadingSpace: String { String(drop(while: { $0 == " " })) }
}
