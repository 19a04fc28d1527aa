/// The seal crash loop's verdict: the seal's own answers (a press it answered `stamped`) set
/// against the server's count, application by application. Pure, so its counting is tested
/// apart from the processes.
struct SealCrashLoopApplication: Sendable, CustomStringConvertible {
    let id: String
    /// The uses the application was approved for.
    let approved: Int
    /// Presses the seal answered `stamped` under this application.
    var stamped = 0
    var description: String { "\(id):\(stamped)/\(approved)" }
}

/// What the server holds for one application (`GET /api/v1/seal-applications/{id}`).
struct SealServerCount: Sendable, CustomStringConvertible {
    let usesMade: Int
    /// The records' `use_number`s, in the order the server lists them (nil: none given).
    let useNumbers: [Int?]
    let flagged: Int
    var description: String { "uses_made=\(usesMade) use_numbers=\(useNumbers.map { $0.map(String.init) ?? "nil" }) flagged=\(flagged)" }
}

struct SealCrashLoopComparison: Equatable, Sendable {
    /// Stamps the seal made that the server holds no record of.
    var lost = 0
    /// Records beyond the stamps the seal made.
    var duplicated = 0
    /// Uses beyond the approved count, by the seal's answers or the server's count.
    var usesOverApproved = 0
    /// Applications whose records are not numbered 1, 2, … each once, whose `uses_made` is not
    /// the number of records, or with a flagged record (a use counted past the approved count
    /// is flagged by the server: it shows here as well as in the two figures above).
    var mismatched = 0

    init(seal: [SealCrashLoopApplication], server: [String: SealServerCount]) {
        for application in seal {
            let count = server[application.id] ?? SealServerCount(usesMade: 0, useNumbers: [], flagged: 0)
            let records = count.useNumbers.count
            lost += max(0, application.stamped - records)
            duplicated += max(0, records - application.stamped)
            usesOverApproved += max(0, max(application.stamped, count.usesMade, records) - application.approved)
            if count.usesMade != records || count.useNumbers != (0..<records).map({ Optional($0 + 1) }) || count.flagged > 0 {
                mismatched += 1
            }
        }
    }

    init() {}

    var clean: Bool { lost == 0 && duplicated == 0 && usesOverApproved == 0 && mismatched == 0 }
}
