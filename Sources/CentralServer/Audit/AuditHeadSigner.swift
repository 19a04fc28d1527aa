import Logging
import Protocol
import ServiceLifecycle

/// Signs the audit chain's head (issue 14) every `interval` and once more at shutdown, but only
/// when it moved since the last signed head; stores each signed head and sends it to every
/// agent that asked for them (`auditHeadRequest`). Agents and auditors keep the heads, so a
/// rewrite of the whole database, which can recompute a consistent chain, is still caught by
/// `imprimatur-server audit verify --against`.
public struct AuditHeadSigner: Service {
    public static let defaultInterval: Duration = .seconds(60)

    let store: any ServerStore
    let keyRing: ServerKeyRing
    let hub: UplinkHub
    let clock: any ServerClock
    let logger: Logger
    public let interval: Duration

    public init(services: ServerServices, interval: Duration = defaultInterval) {
        store = services.store
        keyRing = services.keyRing
        hub = services.hub
        clock = services.clock
        logger = services.logger
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await signLogging()
                try? await Task.sleep(for: interval)
            }
        }
        // The store closes after the background services (ServerRunner): the last change of
        // this run is anchored too.
        await signLogging()
    }

    private func signLogging() async {
        do {
            if let signed = try await signIfMoved() {
                logger.info("audit head signed: entry \(signed.head.sequence), hash \(signed.head.hash), key \(signed.head.keyID)")
            }
        } catch {
            logger.error("audit head not signed: \(error)")
        }
    }

    /// Signs and stores the current head unless the newest signed head already names it; pushes
    /// it to the agents that asked. Nil when there was nothing new to sign.
    @discardableResult
    public func signIfMoved() async throws -> SignedAuditHead? {
        guard let current = try await store.currentAuditHead() else { return nil }
        if let latest = try await store.latestSignedAuditHead()?.head, latest.sequence == current.sequence, latest.hash == current.hash {
            return nil
        }
        let key = try keyRing.keys().current.signingKey
        let head = try AuditHead(sequence: current.sequence, hash: current.hash, signedAt: clock.now(), keyID: key.keyID)
        let signed = SignedAuditHead.sign(head, with: key)
        try await store.appendSignedAuditHead(signed)
        await hub.pushAuditHead(try UplinkMessage.AuditHeadAnswer(token: signed.wireBytes()))
        return signed
    }
}
