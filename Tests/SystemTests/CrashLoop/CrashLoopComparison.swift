/// The crash loop's verdict (issue 13): the copier's own record of every job it ran, set against
/// what the server charged. Pure, so its counting is tested apart from the processes.
struct CrashLoopJob: Hashable, Sendable, CustomStringConvertible {
    let user: String
    let pages: Int
    var description: String { "\(user):\(pages)" }
}

struct CrashLoopComparison: Equatable, Sendable {
    /// Jobs the copier ran that the server never charged.
    var lost = 0
    /// Charges the server holds beyond the jobs the copier ran.
    var duplicated = 0
    /// Jobs charged to the wrong person or for other pages than the copier printed.
    var mismatched = 0

    /// Pairs equal jobs first (person and pages); what is left on both sides pairs up as
    /// mismatched, the rest is lost (copier side) or duplicated (server side). Jobs of no pages
    /// are left out on both sides: the copier ran nothing to charge.
    init(copier: [CrashLoopJob], server: [CrashLoopJob]) {
        var unmatched: [CrashLoopJob: Int] = [:]
        for job in copier where job.pages > 0 { unmatched[job, default: 0] += 1 }
        var extra = 0
        for job in server where job.pages > 0 {
            if let count = unmatched[job], count > 0 { unmatched[job] = count - 1 } else { extra += 1 }
        }
        let missing = unmatched.values.reduce(0, +)
        mismatched = min(missing, extra)
        lost = missing - mismatched
        duplicated = extra - mismatched
    }

    init() {}

    var clean: Bool { lost == 0 && duplicated == 0 && mismatched == 0 }
}
