import Logging
import Protocol

/// Prints the released split parts the uplink stored, one at a time, and answers the server
/// (docs/print-port.md). Woken when a part arrives, and every few seconds: a part that found
/// the copier in use (a person's session) is tried again.
public actor PartPrinter {
    private let agent: CopierAgent
    private let store: AgentStore
    private let port: PrintPortClient
    private let uplink: UplinkClient?
    private let logger: Logger
    private var task: Task<Void, Never>?
    private var wake: AsyncStream<Void>.Continuation?

    public init(agent: CopierAgent, store: AgentStore, port: PrintPortClient, uplink: UplinkClient?, logger: Logger) {
        self.agent = agent
        self.store = store
        self.port = port
        self.uplink = uplink
        self.logger = logger
    }

    public func start(retryEvery: Duration = .seconds(3)) {
        guard task == nil else { return }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        task = Task { [weak self] in
            guard let self else { return }
            for done in await self.agent.settleInterruptedParts() { await self.uplink?.sendPartDone(done) }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: retryEvery)
                    continuation.yield()
                }
            }
            defer { ticker.cancel() }
            await self.printWaiting()
            for await _ in stream {
                if Task.isCancelled { break }
                await self.printWaiting()
            }
        }
    }

    /// Asks for a pass now (a part arrived).
    public nonisolated func poke() {
        Task { await self.yieldWake() }
    }

    private func yieldWake() { wake?.yield() }

    public func stop() {
        task?.cancel()
        wake?.finish()
        task = nil
    }

    private func printWaiting() async {
        let parts: [StoredPart]
        do { parts = try store.storedParts(.received) } catch {
            logger.error("split parts: cannot read the store: \(error)")
            return
        }
        for part in parts {
            guard let done = await agent.printPart(part, on: port) else { return }  // the copier is in use: later
            await uplink?.sendPartDone(done)
        }
    }
}
