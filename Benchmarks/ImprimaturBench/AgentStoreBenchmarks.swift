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
        try blocking {
            try await appends(writers: 1, seconds: 2)
            try await appends(writers: 8, seconds: 2)
            try await openCheck(events: 100_000)
        }
    }

    /// Appends copy-job events from `writers` tasks for `seconds`, each task waiting for its
    /// append to be durable before the next.
    static func appends(writers: Int, seconds: Int64) async throws {
        let directory = try TemporaryDirectory("agent-store-bench")
        let store = try AgentStore.open(path: directory.appending("agent.db"), deviceID: deviceID, deviceKey: deviceKey)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var latencies: [Double] = []
                    var job: UInt32 = UInt32(writer) * 10_000_000
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
        let elapsed = (clock.now - start).seconds
        let statistics = store.commitStatistics
        try store.close()
        let name = writers == 1 ? "durable appends, 1 writer" : "durable appends, \(writers) writers (group commit)"
        report(name, Double(latencies.count) / elapsed, "events/s",
               note: writers == 1 ? "one fsync per event" : "goal >= 10,000/s")
        report("  mean batch (events per transaction)", statistics.meanBatchSize, "events")
        report("  append latency p50 / p99", percentile(latencies, 50), "ms",
               note: String(format: "p99 %.2f ms", percentile(latencies, 99)))
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
