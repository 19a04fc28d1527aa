import CopierSimulator
import Crypto
import DeviceAgent
import Foundation
import LineIO
import ModbusIO
import Protocol
import TestSupport

/// Issue 3's figures: tap → relay on through the offline path, against the floor measured in
/// the same run (one libmodbus write round trip plus one Ed25519 verify), and the agent's
/// resident memory while idle.
enum AgentBenchmarks {
    static func run() async throws {
        print("== Agent (copier path)")
        let directory = try TemporaryDirectory("bench-agent")
        let host = try CopierHost(options: CopierHostOptions(
            simulator: CopierSimulatorOptions(stateDirectory: directory.appending("copier")),
            modbus: .tcp(SocketAddress(host: "127.0.0.1", port: 0)), panel: SocketAddress(host: "127.0.0.1", port: 0)
        ))
        defer { try? host.stop() }
        let port = host.modbusPort!
        try floor(port: port)
        try await offlineTaps(port: port, directory: directory)
        try idleMemory(port: port, directory: directory)
    }

    /// One coil write round trip and one Ed25519 verify, each timed 1,000 times.
    static func floor(port: Int) throws {
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port))
        try client.connect()
        defer { client.close() }
        let clock = ContinuousClock()
        var writes: [Double] = []
        for _ in 0..<1000 {
            let start = clock.now
            try client.writeCoil(address: 0, false)
            writes.append((clock.now - start).seconds * 1e6)
        }
        let key = SigningKey()
        let message = [UInt8](repeating: 7, count: 200)
        let signature = key.sign(message)
        var verifies: [Double] = []
        for _ in 0..<1000 {
            let start = clock.now
            precondition(key.publicKey.isValidSignature(signature, for: message))
            verifies.append((clock.now - start).seconds * 1e6)
        }
        floorP50 = percentile(writes, 50) + percentile(verifies, 50)
        floorP99 = percentile(writes, 99) + percentile(verifies, 99)
        report("floor: Modbus write round trip p50", percentile(writes, 50), "µs")
        report("floor: Ed25519 verify p50", percentile(verifies, 50), "µs")
        report("floor: write + verify p50 / p99", floorP50, "µs", note: String(format: "p99 %.0f µs", floorP99))
    }

    nonisolated(unsafe) static var floorP50 = 0.0
    nonisolated(unsafe) static var floorP99 = 0.0

    /// 1,000 taps decided from a cached limit grant (no server), each followed by a logout;
    /// latency is from the tap to the copier confirming the unlock writes.
    static func offlineTaps(port: Int, directory: TemporaryDirectory) async throws {
        let serverKey = SigningKey()
        let device = try DeviceID("copier-1")
        let store = try AgentStore.open(path: directory.appending("agent.sqlite"), deviceID: device, deviceKey: SigningKey())
        try store.storeServerKeys([TrustedKey(serverKey.publicKey)])
        let hasher = CredentialHasher(deviceSalt: Array(repeating: 1, count: 32))
        let card = try Credential.card("0042")
        let user = try UserID("alice")
        let now = AgentClock.systemTime()
        try store.cacheCredential(cardHash: hasher.cardHash(card), pinVerifier: nil, user: user, at: now)
        let limit = try LimitGrant(
            grantID: GrantID(high: 1, low: 1), keyID: serverKey.keyID, deviceID: device, userID: user,
            periodStart: now.adding(seconds: -60), periodEnd: now.adding(seconds: 86_400), unit: .pages,
            available: 1_000_000, prices: .empty, issuedAt: now, expires: now.adding(seconds: 3_600)
        )
        _ = try store.storeLimitGrant(token: SignedLimitGrant.sign(limit, with: serverKey).wireBytes(), for: user)
        let agent = CopierAgent(
            settings: .init(deviceID: device, copierID: try ResourceID("copier-1"), activePollMilliseconds: 250, idlePollMilliseconds: 2000),
            link: CopierLink(endpoint: .tcp(host: "127.0.0.1", port: port)), store: store, authority: NoServerAuthority(),
            camera: SimulatedCamera(deviceName: "copier-1"), clock: AgentClock(), hasher: hasher
        )
        await agent.start()
        while await agent.phase != .locked { try await Task.sleep(for: .milliseconds(10)) }
        let clock = ContinuousClock()
        var latencies: [Double] = []
        for _ in 0..<1000 {
            let start = clock.now
            let result = await agent.tap(card)
            guard result.unlocked, let unlocked = await agent.lastUnlockConfirmed else {
                throw ProcessFailure(description: "a benchmark tap did not unlock: \(result.message)")
            }
            latencies.append((unlocked - start).seconds * 1e6)
            _ = await agent.logout()
        }
        await agent.stop()
        try store.close()
        let p50 = percentile(latencies, 50), p99 = percentile(latencies, 99)
        report("tap → relay on, offline, p50", p50, "µs", note: String(format: "%.1fx the floor", p50 / floorP50))
        report("tap → relay on, offline, p99", p99, "µs", note: String(format: "%.1fx the floor p99; goal ≤ 3x", p99 / floorP99))
    }

    /// Starts the release `imprimatur-agent run` and reads its VmRSS after it has settled.
    static func idleMemory(port: Int, directory: TemporaryDirectory) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imprimatur-agent").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("agent idle RSS: skipped (build imprimatur-agent in release first: make bench does)")
            return
        }
        let state = directory.appending("idle-agent")
        let config = directory.appending("idle-agent.toml")
        try "[device]\nid = \"copier-1\"\n[copier]\nmodbus = \"127.0.0.1:\(port)\"\n[state]\ndir = \"\(state)\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        try DeviceKeyFile.create(state + "/device.key")
        let agent = try ChildProcess(binary, ["run", "--config", config])
        _ = try agent.readLine(timeout: .seconds(15))
        Thread.sleep(forTimeInterval: 3)
        let status = (try? String(contentsOfFile: "/proc/\(agent.processIdentifier)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? .nan
        agent.send(SIGTERM)
        _ = try? agent.waitForExit(timeout: .seconds(10))
        report("agent resident memory, idle", rss / 1024, "MB", note: "goal ≤ 30 MB")
    }
}
