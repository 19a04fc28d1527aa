import AsyncHTTPClient
import Logging
import NIOCore
import Protocol
import ServiceLifecycle

/// Posts the webhook outbox (generic notices: seal steps now, split charges later) to the
/// configured URL, signed with HMAC-SHA256 (`WebhookPayload`). Durable: an item stays in the
/// outbox until a 2xx answer, retried with backoff (`WebhookPayload.backoff`) across restarts.
/// Items are sent oldest first; a receiver must accept repeats (the delivery id header says
/// which item it is), since an answer lost on the way back means a resend.
public struct WebhookDelivery: Service {
    public let store: any ServerStore
    public let clock: any ServerClock
    public let pollInterval: Duration
    public let logger: Logger

    public init(store: any ServerStore, clock: any ServerClock, pollInterval: Duration = .seconds(2), logger: Logger) {
        self.store = store
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Delivers until graceful shutdown.
    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await deliverDue(client: client)
                try? await Task.sleep(for: pollInterval)
            }
        }
        try await client.shutdown()
    }

    /// One pass over the items due now; returns how many were delivered.
    public func deliverDue(client: HTTPClient) async -> Int {
        do {
            guard let target = try await store.webhook() else { return 0 }
            var delivered = 0
            for item in try await store.dueWebhooks(now: clock.now(), limit: 100) {
                if await deliver(item, to: target, client: client) { delivered += 1 } else { break }
            }
            return delivered
        } catch {
            logger.error("webhook: cannot read the outbox: \(error)")
            return 0
        }
    }

    private func deliver(_ item: WebhookOutboxItem, to target: WebhookTarget, client: HTTPClient) async -> Bool {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "\(ServerInfo.name)/\(ServerInfo.version)")
        request.headers.add(name: WebhookPayload.signatureHeader, value: WebhookPayload.signature(body: item.payload, secret: target.secret))
        request.headers.add(name: WebhookPayload.deliveryHeader, value: "\(item.id)")
        request.body = .bytes(ByteBuffer(bytes: item.payload))
        let failure: String
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) {
                try await store.markWebhookDelivered(item.id, at: clock.now())
                return true
            }
            failure = "HTTP \(response.status.code)"
        } catch {
            failure = "\(error)"
        }
        let attempts = item.attempts + 1
        let next = clock.now().adding(milliseconds: WebhookPayload.backoff(afterFailures: attempts))
        logger.warning("webhook: item \(item.id) not delivered (attempt \(attempts)): \(failure); next at \(TimeText.iso8601(next))")
        try? await store.markWebhookFailed(item.id, attempts: attempts, nextAttempt: next, error: failure)
        return false
    }
}
