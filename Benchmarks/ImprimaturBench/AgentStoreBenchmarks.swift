import DeviceAgent
import Foundation
import Protocol
import TestSupport

/// Figures for the agent's store (issue 3): durable appends with one writer and with eight
/// (group commit), and the integrity check at open over 100,000 events. Real files in a
/// temporary directory on the machine's disk; every append is fsynced before it returns.
enum AgentStoreBenchmarks {
    static let deviceID = try! DeviceID("copier-3f")
    static let deviceKey = try! SigningKey(seed: Array(1...32))
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    static func run() throws {
        print("== Agent store (SQLite \(AgentStore.sqliteVersion), WAL, synchronous = FULL, files in \(NSTemporaryDirectory()))")
        try diskAnchor()
        try blocking {
            try await appends(writers: 1, seconds: 2)
            try await appends(writers: 8, seconds: 2)
            try await openCheck(events: 100_000)
        }
    }

    /// What one durable write costs on this disk, the floor under every commit: a 4 KiB
    /// overwrite and fdatasync, and a 4 KiB append and fdatasync (a growing file also
    /// commits its new size).
    static func diskAnchor() throws {
        let directory = try TemporaryDirectory("agent-store-bench")
        let fd = open(directory.appending("probe"), O_WRONLY | O_CREAT, 0o600)
        precondition(fd >= 0)
        defer { close(fd) }
        let page = [UInt8](repeating: 0x5a, count: 4096)
        var overwrite: [Double] = []
        var append: [Double] = []
        for index in 0..<400 {
            let overwriting = time { _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, 0) }; fdatasync(fd) }
            overwrite.append(overwriting.seconds * 1000)
            let appending = time { _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(4096 * (index + 1))) }; fdatasync(fd) }
            append.append(appending.seconds * 1000)
        }
        report("disk: 4 KiB overwrite + fdatasync, p50", percentile(overwrite, 50), "ms",
               note: String(format: "mean %.2f ms, p99 %.2f ms", overwrite.reduce(0, +) / 400, percentile(overwrite, 99)))
        report("disk: 4 KiB append + fdatasync, p50", percentile(append, 50), "ms",
               note: String(format: "mean %.2f ms, p99 %.2f ms", append.reduce(0, +) / 400, percentile(append, 99)))
    }

    /// Appends copy-job events from `writers` tasks, each task waiting for its append to be
    /// durable before the next: first `seconds` on a fresh database (the WAL file still
    /// growing, so each fsync also commits a new file size), then, once the WAL has been
    /// checkpointed and is being reused as in a running agent, another `seconds`.
    static func appends(writers: Int, seconds: Int64) async throws {
        let directory = try TemporaryDirectory("agent-store-bench")
        let store = try AgentStore.open(path: directory.appending("agent.db"), deviceID: deviceID, deviceKey: deviceKey)
        let label = writers == 1 ? "1 writer" : "\(writers) writers"
        try await measureAppends(store, writers: writers, seconds: seconds, name: "durable appends, \(label), fresh database")
        // A few thousand transactions wrap the 1000-page WAL several times.
        while store.commitStatistics.transactions < 3000 {
            try await runAppends(store, writers: writers, until: ContinuousClock.now + .milliseconds(200))
        }
        try await measureAppends(store, writers: writers, seconds: seconds, name: "durable appends, \(label), WAL reused",
                                 note: writers == 1 ? "one transaction per event" : "goal >= 10,000/s")
        try store.close()
    }

    static func measureAppends(_ store: AgentStore, writers: Int, seconds: Int64, name: String, note: String = "") async throws {
        let before = store.commitStatistics
        let start = ContinuousClock.now
        let latencies = try await runAppends(store, writers: writers, until: start + .seconds(seconds))
        let elapsed = (ContinuousClock.now - start).seconds
        let after = store.commitStatistics
        let batch = Double(after.events - before.events) / Double(max(1, after.transactions - before.transactions))
        report(name, Double(latencies.count) / elapsed, "events/s", note: note)
        report("  mean batch / latency p50 / p99", batch, "events",
               note: String(format: "p50 %.2f ms, p99 %.2f ms", percentile(latencies, 50), percentile(latencies, 99)))
    }

    /// The latency in ms of every append made.
    @discardableResult
    static func runAppends(_ store: AgentStore, writers: Int, until deadline: ContinuousClock.Instant) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let clock = ContinuousClock()
                    var latencies: [Double] = []
                    var job = UInt32(writer) * 100_000_000 + UInt32.random(in: 0..<1_000_000)
                    while clock.now < deadline {
                        job += 1
                        let before = clock.now
                        try await store.appendJob(copyJob(job), copierJobSequence: job, at: t0.adding(milliseconds: Int64(job)))
                        latencies.append((clock.now - before).seconds * 1000)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Fills a store with `events` copy jobs, then times opening it (the full open-time check).
    static func openCheck(events: Int) async throws {
        let directory = try TemporaryDirectory("agent-store-bench")
        let path = directory.appending("agent.db")
        let store = try AgentStore.open(path: path, deviceID: deviceID, deviceKey: deviceKey)
        let writers = 64
        let fill = try await timed {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in stride(from: writer, to: events, by: writers) {
                            let job = UInt32(index + 1)
                            try await store.appendJob(copyJob(job), copierJobSequence: job, at: t0.adding(milliseconds: Int64(index)))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try store.makeCheckpoint(at: t0)
        let batch = store.commitStatistics.meanBatchSize
        try store.close()
        report("  (filling: \(writers) writers)", Double(events) / fill.seconds, "events/s", note: String(format: "mean batch %.0f", batch))
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 } ?? 0
        var samples: [Double] = []
        for _ in 0..<3 {
            var reopened: AgentStore?
            let opening = time { reopened = try! AgentStore.open(path: path, deviceID: deviceID, deviceKey: deviceKey) }
            samples.append(opening.seconds)
            precondition(reopened?.eventCount == UInt64(events), "the filled store holds every event")
            try reopened?.close()
        }
        report("open with integrity check, \(events / 1000)k events", percentile(samples, 50), "s",
               note: String(format: "median of 3; %.0f events/s checked; database %.1f MB", Double(events) / percentile(samples, 50), Double(size) / 1e6))
    }

    static func copyJob(_ job: UInt32) -> EventBody {
        let pages = 1 + job % 40
        return .copyJob(try! CopyJobEvent(
            sessionID: UInt64(job / 8), copierJobSequence: job, userID: UserID("alice.example"),
            grantID: GrantID(high: UInt64(job), low: 0x5eed), pages: pages, copies: 1 + job % 3,
            colourPages: pages / 4, monoPages: pages - pages / 4, duplex: job % 2 == 0, paperSize: .a4,
            started: t0, ended: t0.adding(seconds: Int64(pages) * 2), end: .completed))
    }

    static func timed(_ body: () async throws -> Void) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return clock.now - start
    }

    /// Runs async benchmark code from the synchronous `main`, waiting on a semaphore (the main
    /// thread is not one of the pool's threads, so nothing it needs is blocked).
    static func blocking(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            do { try await body() } catch { failure.set(error) }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.withLock { stored = error } }
    var error: (any Error)? { lock.withLock { stored } }
}
