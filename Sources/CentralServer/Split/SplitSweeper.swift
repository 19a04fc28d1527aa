import Logging
import ServiceLifecycle

/// Ends parts whose payers did not answer in time (SPEC D4), every `interval`, until shutdown.
public struct SplitSweeper: Service {
    public let splits: SplitService
    public let interval: Duration
    public let logger: Logger

    public init(splits: SplitService, interval: Duration = .seconds(30), logger: Logger) {
        self.splits = splits
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await splits.sweep() } catch { logger.error("split sweeper: \(error)") }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
