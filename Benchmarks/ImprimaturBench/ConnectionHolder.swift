import Foundation
import HummingbirdWSClient
import Protocol

/// Many uplink connections held open at once, each authenticated as its own device, for as
/// long as the benchmark wants them; then closed cleanly. At most `opening` connect at a time,
/// so the server's listen backlog is never the limit being measured.
final class ConnectionHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var live: [Int: WebSocketOutboundWriter] = [:]
    private var failures = 0
    private var drops = 0
    private var errors: [String] = []
    private var ended = false
    private var runner: Task<Void, Never>?

    /// Connections authenticated and still open.
    var connected: Int { lock.withLock { live.count } }
    var failed: Int { lock.withLock { failures } }
    /// The first few distinct reasons connections failed.
    var firstErrors: [String] { lock.withLock { errors } }
    private var settled: Int { lock.withLock { live.count + failures + drops } }
    private var finished: Bool { lock.withLock { ended } }

    /// Connects one connection per device; returns once each has authenticated or failed, or at
    /// `limit` with whatever is open by then.
    static func open(url: String, devices: [BenchDevice], opening: Int = 64, within limit: Duration) async throws -> ConnectionHolder {
        let holder = ConnectionHolder()
        let (events, settle) = AsyncStream<Void>.makeStream()
        let logger = quietLogger("imprimatur.bench.hold")
        holder.runner = Task {
            await withTaskGroup(of: Void.self) { group in
                var settledEvents = events.makeAsyncIterator()
                for (index, device) in devices.enumerated() {
                    if index >= opening { _ = await settledEvents.next() }
                    if Task.isCancelled { break }
                    group.addTask {
                        do {
                            try await UplinkPeer.connect(url, as: device, logger: logger) { peer, _ in
                                holder.opened(index, peer.outbound)
                                settle.yield()
                                try await peer.drain()
                            }
                        } catch {
                            holder.lost(index, error)
                            settle.yield()
                        }
                        holder.closed(index)
                    }
                }
                await group.waitForAll()
            }
            holder.lock.withLock { holder.ended = true }
        }
        let deadline = ContinuousClock.now + limit
        while holder.settled < devices.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return holder
    }

    /// Closes every connection and waits (at most `limit`) for all of them to end.
    func release(within limit: Duration) async {
        let writers = lock.withLock { Array(live.values) }
        await withTaskGroup(of: Void.self) { group in
            for writer in writers {
                group.addTask { try? await writer.close(.normalClosure, reason: "benchmark done") }
            }
        }
        let deadline = ContinuousClock.now + limit
        while !finished, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        runner?.cancel()
        await runner?.value
    }

    private func opened(_ index: Int, _ writer: WebSocketOutboundWriter) {
        lock.withLock { live[index] = writer }
    }

    /// A connection that failed before authenticating counts as failed; one that was open and
    /// then dropped is simply no longer live.
    private func lost(_ index: Int, _ error: any Error) {
        lock.withLock {
            guard live.removeValue(forKey: index) == nil else {
                drops += 1
                return
            }
            failures += 1
            let text = "\(error)"
            if errors.count < 3, !errors.contains(text) { errors.append(text) }
        }
    }

    /// A connection that ended (released, or closed by the server) is no longer live.
    private func closed(_ index: Int) {
        lock.withLock {
            if live.removeValue(forKey: index) != nil { drops += 1 }
        }
    }
}
