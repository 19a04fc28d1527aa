import Foundation
import Glibc
import Protocol
import Testing
import TestSupport
@testable import DeviceAgent

/// The real `imprimatur-agent run` process against the real simulated copier process.
@Suite("imprimatur-agent process", .serialized)
struct AgentProcessTests {
    /// A state folder prepared as if alice had tapped here online before: her card is cached and
    /// her limit grant held, so an offline tap (no server configured) unlocks.
    static func prepareAgent(in directory: TemporaryDirectory, copier: SimulatedCopier, watchdogMilliseconds: Int) throws -> String {
        let state = directory.appending("agent")
        let config = directory.appending("agent.toml")
        try """
        [device]
        id = "copier-1"
        [copier]
        modbus = "127.0.0.1:\(copier.modbusPort ?? 0)"
        watchdog_ms = \(watchdogMilliseconds)
        scan_folder = "\(copier.scanFolder)"
        [state]
        dir = "\(state)"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let key = try DeviceKeyFile.create(state + "/device.key")
        let store = try AgentStore.open(path: state + "/agent.sqlite", deviceID: CopierHarness.device, deviceKey: key)
        defer { try? store.close() }
        try store.storeServerKeys([TrustedKey(CopierHarness.serverKey.publicKey)])
        let salt = [UInt8](repeating: 9, count: 32)
        try store.setValue(Hex.encode(salt), forKey: "credential-salt")
        let hasher = CredentialHasher(deviceSalt: salt)
        let card = try Credential.card("0042")
        let now = AgentClock.systemTime()
        try store.cacheCredential(cardHash: hasher.cardHash(card), pinVerifier: nil, user: try UserID("alice"), at: now)
        let limit = try LimitGrant(
            grantID: GrantID(high: 1, low: 2), keyID: CopierHarness.serverKey.keyID, deviceID: CopierHarness.device,
            userID: try UserID("alice"), periodStart: now.adding(seconds: -60), periodEnd: now.adding(seconds: 86_400), unit: .pages,
            available: 40, prices: .empty, issuedAt: now, expires: now.adding(seconds: 3_600)
        )
        _ = try store.storeLimitGrant(token: SignedLimitGrant.sign(limit, with: CopierHarness.serverKey).wireBytes(), for: try UserID("alice"))
        return config
    }

    static func startAgent(config: String) throws -> (ChildProcess, LocalAPIClient) {
        let agent = try ChildProcess(try BuildProducts.executable("imprimatur-agent"), ["run", "--config", config])
        let line: String
        do { line = try agent.readLine(timeout: .seconds(15)) } catch {
            throw ProcessFailure(description: "imprimatur-agent did not start: \(error); stderr: \(agent.standardError)")
        }
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return (agent, LocalAPIClient(path: try #require(ready["api"] as? String)))
    }

    @Test func killingTheAgentMidSessionLeavesTheCopierLockedWithinTheWatchdog() async throws {
        let directory = try TemporaryDirectory("agent-kill")
        let copier = try SimulatedCopier(stateDirectory: directory.appending("copier"))
        defer { copier.stop() }
        let config = try Self.prepareAgent(in: directory, copier: copier, watchdogMilliseconds: 800)
        let (agent, api) = try Self.startAgent(config: config)

        let tap = try api.send(LocalAPI.Request(op: "tap", card: "0042"))
        #expect(tap.ok && tap.unlocked == true && tap.offline == true, "\(tap)")
        #expect(try copier.relayIsOn())
        // Heartbeats keep it open well past one watchdog period.
        try await Task.sleep(for: .milliseconds(1_600))
        #expect(try copier.relayIsOn(), "the agent's heartbeats keep the copier open")

        agent.send(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(5))
        let killedAt = ContinuousClock.now
        try await waitUntil("the copier locks itself", timeout: .seconds(5)) { try !copier.relayIsOn() }
        let lockedAfter = ContinuousClock.now - killedAt
        // The exact period is the simulator's rule, checked with an injected clock in its unit
        // tests; here the slack only absorbs scheduling on a loaded machine.
        #expect(lockedAfter < .milliseconds(800 + 2_000), "locked \(lockedAfter) after the kill; watchdog 800 ms")
        let outcome = try copier.job(copies: 1, pages: 2)
        #expect(outcome["stopped"] as? String == "locked")

        // A new agent starts by forcing the lock, then works as before; its log continues the old one.
        let (again, api2) = try Self.startAgent(config: config)
        let status = try api2.send(LocalAPI.Request(op: "status"))
        #expect(status.status?.phase == "locked")
        #expect(try api2.send(LocalAPI.Request(op: "tap", card: "0042")).unlocked == true)
        again.send(SIGTERM)
        #expect(try again.waitForExit(timeout: .seconds(10)) == 0)
        #expect(try !copier.relayIsOn(), "a clean stop locks the copier")
    }

    @Test func badConfigurationIsRefusedNamingTheKey() throws {
        let directory = try TemporaryDirectory("agent-config")
        let config = directory.appending("agent.toml")
        try "[device]\nid = \"c1\"\n[copier]\nmodbus = \"127.0.0.1:1502\"\nwatchdog_ms = 50\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(try BuildProducts.executable("imprimatur-agent"), ["run", "--config", config])
        #expect(result.status != 0)
        #expect(result.error.contains("copier.watchdog_ms: 50 is outside 100...60000"), "\(result.error)")
    }
}
