import Foundation
import Glibc

/// The open-file limit: a server holding thousands of connections needs a descriptor for each
/// (and this process, holding the clients' ends too, needs as many again).
enum FileLimit {
    /// Raises the soft RLIMIT_NOFILE to the hard limit; returns both soft limits.
    static func raiseToHard() -> (before: UInt64, after: UInt64) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        let before = UInt64(limit.rlim_cur)
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (before, before) }
        return (before, UInt64(limit.rlim_cur))
    }
}

enum ProcessMemory {
    /// VmRSS of process `pid` in kB (from /proc/PID/status); NaN if it cannot be read.
    static func residentKilobytes(pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? .nan
    }
}

/// Results collected from concurrent tasks.
final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value] = []
    func append(_ value: Value) { lock.withLock { stored.append(value) } }
    var values: [Value] { lock.withLock { stored } }
}
