import Logging
import Protocol
import ServiceLifecycle

/// Where security events caused by unauthenticated clients are recorded (unsigned webhook
/// posts, wrong web passwords, failed uplink proofs): through `SecurityEventThrottle`, so a
/// flood writes a bounded number of rows and one summary per kind and source. Events from
/// authenticated devices and from the server itself (chain, signature and checkpoint alerts)
/// go straight to the store and are never throttled.
public actor SecurityEventGate {
    let store: any ServerStore
    let clock: any ServerClock
    let logger: Logger
    private var throttle: SecurityEventThrottle

    public init(store: any ServerStore, clock: any ServerClock, throttle: SecurityEventThrottle = SecurityEventThrottle(), logger: Logger) {
        self.store = store
        self.clock = clock
        self.throttle = throttle
        self.logger = logger
    }

    /// Records `event`, caused by `source` (the client's address), unless the throttle counts it instead.
    public func record(_ event: SecurityEvent, source: String) async throws {
        let decision = throttle.admit(kind: event.kind, source: source, at: event.at)
        try await write(decision.summaries)
        if decision.write { try await store.recordSecurityEvent(event) }
    }

    /// Writes the summaries of a window that has ended.
    public func flush() async throws {
        try await write(throttle.due(now: clock.now()))
    }

    /// Writes every summary still counted (at shutdown).
    public func drain() async throws {
        try await write(throttle.drain())
    }

    private func write(_ summaries: [SecurityEventThrottle.Summary]) async throws {
        for summary in summaries {
            logger.warning("security events: \(summary.count) more \"\(summary.kind)\" from \(summary.source ?? "many sources") were counted, not written one by one")
            try await store.recordSecurityEvent(summary.event())
        }
    }

    /// The background service that writes each window's summaries soon after it ends, and the
    /// rest at shutdown (a kill loses at most the counts of one window, never an alert).
    public nonisolated func flusher(every interval: Duration = .seconds(10)) -> some Service {
        SecurityEventFlusher(gate: self, interval: interval)
    }
}

struct SecurityEventFlusher: Service {
    let gate: SecurityEventGate
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do { try await gate.flush() } catch { gate.logger.warning("security event summaries not written: \(error)") }
            }
        }
        // The store closes after the background services (ServerRunner), so this still lands.
        do { try await gate.drain() } catch { gate.logger.warning("security event summaries not written at shutdown: \(error)") }
    }
}
