import CopierSimulator
import DeviceAgent
import Foundation
import FoundationNetworking
import LineIO
import ModbusIO
import Protocol
import TestSupport

/// Issue 4's figures: a tap decided by the server over the loopback uplink, event ingestion
/// from 1 and from 50 simulated agents, and how many authenticated agents the server holds at
/// once with its memory per connection. Everything on 127.0.0.1; every loop bounded in count
/// and in time.
enum ServerBenchmarks {
    static func run() async throws {
        print("== Server (uplink over loopback WebSocket, SQLite store in \(NSTemporaryDirectory()))")
        // The machine is shared: say how busy it was, since every figure here depends on it.
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
        print("   load average at start: \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores; clients and server share them")
        let limits = FileLimit.raiseToHard()
        print("   file descriptors: soft limit raised from \(limits.before) to the hard limit \(limits.after) (setrlimit RLIMIT_NOFILE)")
        try await onlineTaps()
        try await ingestion()
        try await connectedAgents(target: 2000)
    }

    // MARK: 1. Tap → relay on, online

    /// A real server in this process, the simulated copier, and a `CopierAgent` whose authority is
    /// an `UplinkClient` connected to that server; 1,000 taps without a PIN and 100 with one,
    /// each followed by a logout.
    static func onlineTaps() async throws {
        let server = try await BenchServer.start("taps")
        let directory = try TemporaryDirectory("bench-online-agent")
        let host = try CopierHost(options: CopierHostOptions(
            simulator: CopierSimulatorOptions(stateDirectory: directory.appending("copier")),
            modbus: .tcp(SocketAddress(host: "127.0.0.1", port: 0)), panel: SocketAddress(host: "127.0.0.1", port: 0)
        ))
        defer { try? host.stop() }
        do {
            try await server.setPrices()
            try await server.addUser("alice", card: "0042")
            try await server.addUser("bob", card: "0043", pin: "1234")
            let (device, keys) = try await server.enroll("copier-1")
            let store = try AgentStore.open(path: directory.appending("agent.sqlite"), deviceID: device.id, deviceKey: device.key)
            // Enrolment answers with the server's keys: the only keys the agent trusts.
            try store.storeServerKeys(keys)
            let clock = AgentClock()
            let uplink = UplinkClient(settings: .init(url: server.uplinkURL), deviceID: device.id, deviceKey: device.key,
                                      store: store, clock: clock, logger: quietLogger("imprimatur.bench.uplink"))
            await uplink.start()
            try await until("the uplink is connected", within: .seconds(10)) { await uplink.state == .connected }
            let agent = CopierAgent(
                settings: .init(deviceID: device.id, copierID: try ResourceID(device.id.value), activePollMilliseconds: 250, idlePollMilliseconds: 2000),
                link: CopierLink(endpoint: .tcp(host: "127.0.0.1", port: host.modbusPort!)), store: store, authority: uplink,
                camera: SimulatedCamera(deviceName: device.id.value), clock: clock,
                hasher: CredentialHasher(deviceSalt: (0..<32).map { _ in UInt8.random(in: 0...255) }), logger: quietLogger("imprimatur.bench.agent")
            )
            await agent.start()
            try await until("the copier is locked and ready", within: .seconds(10)) { await agent.phase == .locked }
            let plain = try await taps(agent, try Credential.card("0042"), count: 1000)
            let withPIN = try await taps(agent, try Credential.card("0043", pin: "1234"), count: 100)
            // The agent photographs each unlock in a task of its own that `stop()` does not wait
            // for: let the last photos land before the store closes under them.
            try await settled(store, within: .seconds(5))
            await agent.stop()
            await uplink.stop()
            try store.close()
            report("tap → relay on, online, no PIN, p50", percentile(plain, 50), "ms", note: "1,000 taps, each then logged out")
            report("tap → relay on, online, no PIN, p99", percentile(plain, 99), "ms", note: "goal ≤ 10 ms")
            report("tap → relay on, online, with PIN, p50", percentile(withPIN, 50), "ms",
                   note: "100 taps; bcrypt on the server, PBKDF2 cache on the agent")
            report("tap → relay on, online, with PIN, p99", percentile(withPIN, 99), "ms")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Latencies in ms from each tap to the copier confirming the unlock; every tap must have been
    /// decided by the server (not the offline fallback).
    static func taps(_ agent: CopierAgent, _ credential: Credential, count: Int) async throws -> [Double] {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        for _ in 0..<count {
            let start = clock.now
            let result = await agent.tap(credential)
            guard result.unlocked, !result.offline, let unlocked = await agent.lastUnlockConfirmed, unlocked > start else {
                throw ProcessFailure(description: "a benchmark tap was not unlocked online: \(result.message)")
            }
            latencies.append((unlocked - start).seconds * 1000)
            _ = await agent.logout()
        }
        return latencies
    }

    // MARK: 2. Ingestion

    static let batchSize = 500
    static let window = 4

    /// Copy-job events from simulated agents, each with its own enrolled device key, in batches
    /// of 500 with up to 4 unacknowledged (as the agent's `UplinkClient` sends them). The server
    /// checks every batch against the stored chain, stores it with its jobs, charges and ledger
    /// entries in one transaction, and only then acknowledges it.
    static func ingestion() async throws {
        print("   (copy-job events by 20 users, batches of \(batchSize), \(window) in flight per agent, a fresh server for each line;")
        print("    a batch is acknowledged once committed: SQLite WAL, synchronous = FULL, so it survives a power cut)")
        try await ingest(agents: 1, eventsPerAgent: 50_000, quotas: true)
        try await ingest(agents: 50, eventsPerAgent: 4_000, quotas: true)
        // The same without quotas: no fresh limit grants to sign and push to the connected
        // devices after each batch.
        try await ingest(agents: 50, eventsPerAgent: 4_000, quotas: false)
    }

    /// One line: a fresh server with prices and 20 users (with page quotas or none), then `agents`
    /// simulated agents sending `eventsPerAgent` events each.
    static func ingest(agents: Int, eventsPerAgent: Int, quotas: Bool) async throws {
        let server = try await BenchServer.start("ingest")
        do {
            try await server.setPrices()
            var users: [UserID] = []
            for index in 1...20 {
                let id = String(format: "user-%02d", index)
                try await server.addUser(id, card: String(format: "10%02d", index), quota: quotas)
                users.append(try UserID(id))
            }
            try await ingest(server, agents: agents, eventsPerAgent: eventsPerAgent, users: users,
                             label: quotas ? "page quotas" : "no quotas")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func ingest(_ server: BenchServer, agents: Int, eventsPerAgent: Int, users: [UserID], label extra: String) async throws {
        var devices: [(BenchDevice, [UplinkMessage.EventBatch])] = []
        for index in 0..<agents {
            let (device, _) = try await server.enroll("ingest-\(index)")
            devices.append((device, try SimulatedEventLog.batches(device: device.id, count: eventsPerAgent, batchSize: batchSize, users: users)))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        let latencies = ResultBox<Double>()
        let spans = ResultBox<(first: ContinuousClock.Instant, last: ContinuousClock.Instant)>()
        let reconnects = ResultBox<String>()
        let logger = quietLogger("imprimatur.bench.client")
        await withTaskGroup(of: Void.self) { group in
            for (device, batches) in devices {
                group.addTask {
                    let first = ContinuousClock.now
                    // As the agent does: when the link drops, reconnect and resume after what the
                    // server says it holds (at most 5 times, and not past the deadline).
                    for attempt in 0...5 {
                        do {
                            try await UplinkPeer.connect(server.uplinkURL, as: device, logger: logger) { peer, held in
                                let resume = Int(held ?? 0) / batchSize
                                try await peer.send(batches[resume...], window: window, until: deadline, latencies: latencies)
                            }
                            break
                        } catch {
                            reconnects.append("\(device.id) attempt \(attempt + 1): \(error)")
                            if ContinuousClock.now >= deadline { break }
                            try? await Task.sleep(for: .milliseconds(200))
                        }
                    }
                    spans.append((first, ContinuousClock.now))
                }
            }
        }
        // Acknowledged means stored: count what the server holds, not what the clients saw.
        var stored: UInt64 = 0
        for (device, _) in devices { stored += try await server.storedEvents(device.id) }
        let acknowledged = latencies.values.count * batchSize
        guard stored >= UInt64(acknowledged) else {
            throw ProcessFailure(description: "the server holds \(stored) events but acknowledged \(acknowledged)")
        }
        let first = spans.values.map(\.first).min() ?? .now, last = spans.values.map(\.last).max() ?? .now
        let seconds = (last - first).seconds
        let label = (agents == 1 ? "1 agent" : "\(agents) agents at once") + ", " + extra
        let events = agents * eventsPerAgent
        report("ingestion, \(label)", Double(stored) / seconds, "events/s",
               note: String(format: "%llu of %d events stored in %.1f s; goal ≥ 20,000/s", stored, events, seconds))
        let batchLatencies = latencies.values
        report("  batch send → ack, mean", batchLatencies.reduce(0, +) / Double(max(1, batchLatencies.count)), "ms",
               note: String(format: "p50 %.1f ms, p99 %.1f ms, %d batches", percentile(batchLatencies, 50), percentile(batchLatencies, 99), batchLatencies.count))
        let drops = reconnects.values
        if !drops.isEmpty {
            print("   \(drops.count) connection(s) lost and resumed; first: \(drops.prefix(2).joined(separator: "; "))")
        }
    }

    // MARK: 3. Connected agents

    /// Opens `target` uplink connections, each authenticated with its own enrolled device, holds
    /// them, and reads the server's resident memory before and after. The server is the release
    /// `imprimatur-server serve` when it has been built next to this program (as `make bench`
    /// does), so its memory is its own; otherwise it runs in this process and the figure also
    /// counts the clients' side.
    static func connectedAgents(target: Int) async throws {
        let setup = try await BenchServer.start("agents")
        var devices: [BenchDevice] = []
        do {
            for index in 1...20 { try await setup.addUser(String(format: "user-%02d", index), card: String(format: "20%02d", index)) }
            for index in 0..<target { devices.append(try await setup.enroll(String(format: "agent-%04d", index)).device) }
        } catch {
            await setup.stop()
            throw error
        }
        await setup.stop()
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imprimatur-server").path
        if FileManager.default.isExecutableFile(atPath: binary) {
            let child = try ChildProcess(binary, ["serve", "--data", setup.directory.path, "--port", "0", "--log-level", "warning"])
            defer {
                child.send(SIGTERM)
                _ = try? child.waitForExit(timeout: .seconds(15))
            }
            let line = try child.readLine(timeout: .seconds(20))
            guard let range = line.range(of: "http://127.0.0.1:"), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
                throw ProcessFailure(description: "unexpected server line: \(line)")
            }
            try await holdConnections(url: "http://127.0.0.1:\(port)", devices: devices, where: "the imprimatur-server process (release)") {
                ProcessMemory.residentKilobytes(pid: child.processIdentifier)
            }
        } else {
            let server = try await BenchServer.start(in: setup.directory, "agents")
            try await holdConnections(url: server.baseURL, devices: devices, where: "this process, clients and server together (imprimatur-server not built)") {
                ProcessMemory.residentKilobytes(pid: getpid())
            }
            await server.stop()
        }
    }

    /// `server` is the server's base URL (`http://127.0.0.1:PORT`).
    static func holdConnections(url server: String, devices: [BenchDevice], where place: String, rss: () -> Double) async throws {
        let url = server.replacingOccurrences(of: "http://", with: "ws://") + "/uplink"
        // Warm up (thread pools, statement caches, the first allocations), then measure from there.
        let warmUp = try await ConnectionHolder.open(url: url, devices: Array(devices.prefix(50)), within: .seconds(30))
        await warmUp.release(within: .seconds(15))
        try await Task.sleep(for: .seconds(1))
        let before = rss()
        let start = ContinuousClock.now
        let holder = try await ConnectionHolder.open(url: url, devices: devices, within: .seconds(120))
        let opening = (ContinuousClock.now - start).seconds
        try await Task.sleep(for: .seconds(2))
        let after = rss()
        let held = holder.connected
        let serverSays = await connectedAgentsGauge(server)
        await holder.release(within: .seconds(30))
        report("uplink connections held at once", Double(held), "agents",
               note: "of \(devices.count), each authenticated with its own device key; the server's /metrics says \(serverSays); goal 2,000 on loopback")
        if held < devices.count {
            print("   not reached: \(holder.failed) failed; first errors: \(holder.firstErrors.joined(separator: "; "))")
        }
        report("  opened and authenticated in", opening, "s", note: String(format: "%.0f connections/s, 64 opening at a time", Double(held) / opening))
        report("  server resident memory, before → after", after / 1024, "MB", note: String(format: "from %.1f MB; %@", before / 1024, place))
        report("  memory per connection", (after - before) / Double(max(1, held)), "KB", note: "RSS delta / connections")
    }

    /// `imprimatur_connected_agents` from the server's `/metrics`, as text ("?" if unreadable).
    static func connectedAgentsGauge(_ server: String) async -> String {
        guard let url = URL(string: server + "/metrics"),
              let (data, _) = try? await URLSession.shared.data(from: url) else { return "?" }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("imprimatur_connected_agents ") }
        return line.flatMap { $0.split(separator: " ").last }.map { String($0) } ?? "?"
    }

    /// Waits until `store` has taken no new event for 300 ms (at most `limit`).
    static func settled(_ store: AgentStore, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        var count = store.eventCount, quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline, ContinuousClock.now - quietSince < .milliseconds(300) {
            try await Task.sleep(for: .milliseconds(50))
            if store.eventCount != count { (count, quietSince) = (store.eventCount, .now) }
        }
    }

    static func until(_ what: String, within limit: Duration, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw ProcessFailure(description: "timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
