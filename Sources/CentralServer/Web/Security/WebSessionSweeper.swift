import Logging
import Protocol
import ServiceLifecycle

/// Deletes web sessions that can no longer be used, and wrong-password records that no longer
/// count, every `interval` until shutdown. A session is refused once idle or too old anyway
/// (WebSessionPolicy.isLive); without the sweep, the rows of everyone who closed the tab
/// instead of logging out would stay forever — each a hash that was a live credential, and a
/// table that only grows.
public struct WebSessionSweeper: Service {
    public let store: any WebStore
    public let policy: WebSessionPolicy
    /// Wrong passwords older than this are deleted: well past every window that counts them
    /// (LoginThrottle's 15 minutes), so the lockout never loses a failure it still counts.
    public let failureRetention: Int64
    public let clock: any ServerClock
    public let interval: Duration
    public let logger: Logger

    public init(store: any WebStore, policy: WebSessionPolicy, failureRetention: Int64 = 86_400_000, clock: any ServerClock,
                interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.policy = policy
        self.failureRetention = failureRetention
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    /// One sweep at `now`: how many sessions and failure records were deleted.
    @discardableResult
    public func sweep(now: Timestamp) async throws -> (sessions: Int, failures: Int) {
        let bounds = policy.expiry(now: now)
        let sessions = try await store.deleteExpiredWebSessions(lastSeenBy: bounds.lastSeenBy, createdBy: bounds.createdBy)
        let failures = try await store.deleteLoginFailures(before: now.adding(milliseconds: -failureRetention))
        if sessions > 0 || failures > 0 {
            logger.debug("web sweep", metadata: ["sessions": "\(sessions)", "login_failures": "\(failures)"])
        }
        return (sessions, failures)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await sweep(now: clock.now()) } catch { logger.error("web session sweeper: \(error)") }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
