import Foundation
import Logging
import Synchronization

/// Sends the copier's heartbeats (docs/modbus-map.md, "Watchdog") from a thread of its own while
/// a session is open. Not a task: the cooperative pool has one thread per core, and whatever
/// blocks it for a moment (in the agent, or in a test process hosting agents beside other work)
/// would stop the heartbeats, and the copier's watchdog would lock a copier in use.
final class CopierHeartbeat: Sendable {
    private let link: CopierLink
    private let period: Duration
    private let logger: Logger
    private let state = Mutex<(wanted: Bool, stopped: Bool, started: Bool)>((false, false, false))
    /// Signalled to cut the wait short at `stop`.
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Every third of the watchdog period (at least every 30 ms is pointless).
    init(link: CopierLink, watchdogMilliseconds: UInt16, logger: Logger) {
        self.link = link
        period = .milliseconds(max(Int64(watchdogMilliseconds) / 3, 30))
        self.logger = logger
    }

    /// Whether heartbeats should flow: set by the agent's actor when a session opens or closes.
    var wanted: Bool {
        get { state.withLock { $0.wanted } }
        set { state.withLock { $0.wanted = newValue } }
    }

    func start() {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        guard first else { return }
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "copier-heartbeat"
        thread.start()
    }

    /// Ends the thread without waiting for it (an agent dropped without `stop`): no heartbeat
    /// goes out after this returns but the one under way, so the copier's watchdog locks it.
    func abandon() {
        _ = markStopped()
    }

    /// Ends the thread; returns once it will send nothing more (so a later disconnect holds).
    func stop() async {
        guard markStopped() else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [done] in
                done.wait()
                continuation.resume()
            }
        }
    }

    /// Whether the thread was running (and is now told to end).
    private func markStopped() -> Bool {
        let running = state.withLock { state in
            defer { state.stopped = true; state.wanted = false }
            return state.started && !state.stopped
        }
        if running { wake.signal() }
        return running
    }

    private func run() {
        let nanoseconds = Int(period.components.seconds) * 1_000_000_000 + Int(period.components.attoseconds / 1_000_000_000)
        while true {
            _ = wake.wait(timeout: .now() + .nanoseconds(nanoseconds))
            let (wanted, stopped) = state.withLock { ($0.wanted, $0.stopped) }
            if stopped { return }
            guard wanted else { continue }
            do {
                try link.heartbeatNow()
            } catch {
                logger.warning("heartbeat failed: \(error)")
            }
        }
    }
}
