import Logging
import ServiceLifecycle

/// Offers queued firmware to connected devices every `interval`, until shutdown: rollouts the
/// CLI started (it has no link to the running server's uplink) and targets queued behind a
/// finished one whose offer did not go out.
public struct FirmwareSweeper: Service {
    public let delivery: FirmwareDelivery
    public let interval: Duration

    public init(delivery: FirmwareDelivery, interval: Duration = .seconds(2)) {
        self.delivery = delivery
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await delivery.sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
