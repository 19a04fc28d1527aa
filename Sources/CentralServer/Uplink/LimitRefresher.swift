import Logging
import Protocol
import ServiceLifecycle

/// Keeps the devices' limit grants current (SPEC B3, docs/quotas.md "Reaching the devices"):
/// every `pollInterval` it looks for ledger entries that change a limit (a limit or overdraft
/// set, a payment, an adjustment: made through the API, the CLI in another process, or the
/// payment webhook) and pushes those users' new limit grants to the connected devices; and on
/// `LimitRefreshSchedule` it re-issues every user's limit grant to every connected device, so
/// they are renewed before they expire and a new period's reset arrives at its start. A device
/// that hears nothing keeps its last grant only until it expires, then refuses offline use.
/// Each round also cuts the connections of devices disabled meanwhile.
public struct LimitRefresher: Service {
    let endpoint: UplinkEndpoint
    let pollInterval: Duration

    public init(endpoint: UplinkEndpoint, pollInterval: Duration = .seconds(2)) {
        self.endpoint = endpoint
        self.pollInterval = pollInterval
    }

    /// What the refresher has done so far: the newest ledger entry it looked at, when the next
    /// full re-issue is due.
    public struct State: Sendable {
        public var lastLedgerID: Int64
        public var nextFull: Timestamp
    }

    public func run() async throws {
        let services = endpoint.services
        let start = try await Self.startingState(services.store, now: services.clock.now())
        // A graceful shutdown cancels the loop; that is its normal end, not a failure.
        try? await cancelWhenGracefulShutdown {
            var state = start
            while !Task.isCancelled {
                try await Task.sleep(for: pollInterval)
                state = await tick(state, now: services.clock.now())
            }
        }
    }

    /// Where the refresher starts: after the newest ledger entry now (the full re-issue at once
    /// covers what came before). Not `ledgerChanges(after: .max)`: the store never moves its
    /// answer below the id it was given, so that start saw no change until the hourly re-issue.
    public static func startingState(_ store: some ServerStore, now: Timestamp) async throws -> State {
        State(lastLedgerID: try await store.latestLedgerID(), nextFull: now)
    }

    /// One round: push limit grants for users whose limits changed, and everyone's when due.
    public func tick(_ state: State, now: Timestamp) async -> State {
        var next = state
        let services = endpoint.services
        do {
            let changes = try await services.store.ledgerChanges(after: state.lastLedgerID)
            next.lastLedgerID = changes.lastID
            if !changes.users.isEmpty {
                let endpoint = self.endpoint
                await endpoint.limitPushes.note(changes.users) { users in await endpoint.pushLimits(for: users, now: endpoint.services.clock.now()) }
            }
        } catch {
            services.logger.warning("limit refresh: cannot read the ledger: \(error)")
        }
        // A device disabled from the CLI (another process) is cut here, within a poll; one
        // disabled through this server's AdminService was cut at once.
        do {
            let connected = Set(await endpoint.hub.connectedDevices)
            if !connected.isEmpty {
                for device in try await services.store.devices() where device.state != .active && connected.contains(device.id) {
                    await endpoint.hub.disconnect(device.id, reason: "device \(device.id) was disabled")
                }
            }
        } catch {
            services.logger.warning("limit refresh: cannot read the devices: \(error)")
        }
        if now >= state.nextFull {
            await endpoint.pushAllLimits(now: now)
            next.nextFull = LimitRefreshSchedule.nextFullRefresh(after: now, interval: services.grants.policy.limitRefreshInterval)
        }
        return next
    }
}
