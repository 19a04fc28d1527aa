import Foundation
import Glibc
import ModbusIO
import Protocol
import Synchronization
import Testing
import TestSupport
@testable import DeviceAgent

/// The real `firmware-sim copier serve`, started as a process on loopback (or on a pty for RTU).
final class SimulatedCopier: Sendable {
    let process: ChildProcess
    let modbusPort: Int?
    let panel: String
    let scanFolder: String
    /// The print port (docs/print-port.md) and where its prints land.
    let printPort: Int
    let trayFolder: String
    let executable: String

    init(stateDirectory: String, rtuPath: String? = nil, pageRate: Int = 50, extra: [String] = []) throws {
        executable = try BuildProducts.executable("firmware-sim")
        var arguments = ["copier", "serve", "--panel", "127.0.0.1:0", "--state-dir", stateDirectory, "--page-rate", String(pageRate),
                         "--print", "127.0.0.1:0"] + extra
        arguments += rtuPath.map { ["--rtu", $0] } ?? ["--modbus", "127.0.0.1:0"]
        process = try ChildProcess(executable, arguments)
        let line: String
        do { line = try process.readLine(timeout: .seconds(15)) } catch {
            throw ProcessFailure(description: "firmware-sim did not start: \(error); stderr: \(process.standardError)")
        }
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        modbusPort = ready["modbus"] as? Int
        panel = "127.0.0.1:\(try #require(ready["panel"] as? Int))"
        scanFolder = try #require(ready["scan_folder"] as? String)
        printPort = try #require(ready["print"] as? Int)
        trayFolder = try #require(ready["tray_folder"] as? String)
    }

    var endpoint: ModbusEndpoint { .tcp(host: "127.0.0.1", port: modbusPort ?? 0) }

    /// Presses start at the panel; returns the panel's JSON answer when the job ends.
    func job(copies: Int, pages: Int, colour: Bool = false, duplex: Bool = false, paper: String = "A4") throws -> [String: Any] {
        var arguments = ["copier", "job", "--panel", panel, "--copies", String(copies), "--pages", String(pages), "--paper", paper]
        if colour { arguments.append("--colour") }
        if duplex { arguments.append("--duplex") }
        let result = try ChildProcess.run(executable, arguments, timeout: .seconds(30))
        guard result.status == 0 else { throw ProcessFailure(description: "copier job failed: \(result.error)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    func fault(_ arguments: [String]) throws {
        let result = try ChildProcess.run(executable, ["copier", "fault", "--panel", panel] + arguments)
        guard result.status == 0 else { throw ProcessFailure(description: "copier fault failed: \(result.error)") }
    }

    /// Reads the relay with a client of its own.
    func relayIsOn() throws -> Bool {
        let client = ModbusClient(endpoint: endpoint, responseTimeout: .seconds(1))
        try client.connect()
        defer { client.close() }
        return try client.readCoils(address: 0, count: 1)[0]
    }

    func stop() {
        process.send(SIGTERM)
        _ = try? process.waitForExit(timeout: .seconds(10))
    }
}

/// Stands in for the central server until it exists: signs grants with a test key for a small
/// table of cards, and can be switched off to make the agent decide offline.
final class TestAuthority: GrantAuthority {
    struct Account: Sendable {
        let user: UserID
        let pin: String?
        var pagesPerGrant: UInt32
        var available: Int64
    }

    let key: SigningKey
    let device: DeviceID
    private let state: Mutex<(accounts: [String: Account], reachable: Bool, issued: Int)>

    init(key: SigningKey, device: DeviceID, accounts: [String: Account]) {
        self.key = key
        self.device = device
        state = Mutex((accounts, true, 0))
    }

    var reachable: Bool {
        get { state.withLock { $0.reachable } }
        set { state.withLock { $0.reachable = newValue } }
    }

    var issued: Int { state.withLock { $0.issued } }

    func requestGrant(_ credential: Credential, copier: ResourceID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        let (reachable, account): (Bool, Account?) = state.withLock { state in
            guard case let .card(number, _) = credential else { return (state.reachable, nil) }
            return (state.reachable, state.accounts[number.value])
        }
        guard reachable else { throw .unreachable("test authority switched off") }
        guard let account else { return .refused(reason: .unknownCard, message: "Unknown card.") }
        if let pin = account.pin, CredentialHasher.pin(of: credential) != pin {
            return .refused(reason: .wrongPIN, message: "Wrong PIN.")
        }
        var generator = SystemRandomNumberGenerator()
        let claims = try! GrantClaims(
            grantID: GrantID.random(using: &generator), keyID: key.keyID, deviceID: device, subject: account.user,
            resourceID: copier, resourceType: .copier, allowance: .copier(pages: account.pagesPerGrant, copies: 999, colourAllowed: true),
            issuedAt: time, notBefore: time, expires: time.adding(seconds: 600)
        )
        let limit = try! LimitGrant(
            grantID: GrantID.random(using: &generator), keyID: key.keyID, deviceID: device, userID: account.user,
            periodStart: time.adding(seconds: -3600), periodEnd: time.adding(seconds: 30 * 86_400), unit: .pages,
            available: account.available, prices: .empty, issuedAt: time, expires: time.adding(seconds: 86_400)
        )
        state.withLock { $0.issued += 1 }
        return .granted(grantToken: SignedGrant.sign(claims, with: key).wireBytes(),
                        limitGrantToken: SignedLimitGrant.sign(limit, with: key).wireBytes())
    }
}

/// A copier simulator process, an agent store and a running `CopierAgent` in this process.
final class CopierHarness: Sendable {
    static let serverKey = try! SigningKey(seed: Array(repeating: 5, count: 32))
    static let device = try! DeviceID("copier-1")

    let directory: TemporaryDirectory
    let copier: SimulatedCopier
    let store: AgentStore
    let authority: TestAuthority
    let agent: CopierAgent

    init(rtu: PtyBridge? = nil, watchdogMilliseconds: UInt16 = 2000, idleSeconds: Int64 = 60,
         accounts: [String: TestAuthority.Account]? = nil, directory existing: TemporaryDirectory? = nil) async throws {
        directory = try existing ?? TemporaryDirectory("copier-e2e")
        copier = try SimulatedCopier(stateDirectory: directory.appending("copier"), rtuPath: rtu?.firstPath)
        let deviceKey = try SigningKey(seed: Array(repeating: 6, count: 32))
        store = try AgentStore.open(path: directory.appending("agent.sqlite"), deviceID: Self.device, deviceKey: deviceKey)
        try store.storeServerKeys([TrustedKey(Self.serverKey.publicKey)])
        let defaultAccounts: [String: TestAuthority.Account] = [
            "0042": .init(user: try UserID("alice"), pin: "1234", pagesPerGrant: 50, available: 20),
            "0043": .init(user: try UserID("bob"), pin: nil, pagesPerGrant: 5, available: 100),
        ]
        authority = TestAuthority(key: Self.serverKey, device: Self.device, accounts: accounts ?? defaultAccounts)
        let endpoint: ModbusEndpoint = rtu.map { .rtu(path: $0.secondPath) } ?? copier.endpoint
        let settings = CopierAgent.Settings(
            deviceID: Self.device, copierID: try ResourceID("copier-1"), watchdogMilliseconds: watchdogMilliseconds,
            session: .init(idleTimeoutMilliseconds: idleSeconds * 1000), scanFolder: copier.scanFolder,
            activePollMilliseconds: 100, idlePollMilliseconds: 300
        )
        agent = CopierAgent(
            settings: settings, link: CopierLink(endpoint: endpoint, responseTimeout: .milliseconds(300)), store: store,
            authority: authority, camera: SimulatedCamera(deviceName: "copier-1"), clock: AgentClock(),
            hasher: CredentialHasher(deviceSalt: Array(repeating: 1, count: 32))
        )
        await agent.start()
        try await waitUntil("the agent has locked the copier") { await self.agent.phase == .locked }
    }

    func stop() async {
        await agent.stop()
        copier.stop()
        try? store.close()
    }

    /// Every event stored so far, in order.
    func events() throws -> [Event] { try store.events(from: 1, limit: 100_000) }

    func copyJobs() throws -> [CopyJobEvent] {
        try events().compactMap { if case let .copyJob(job) = $0.body { return job } else { return nil } }
    }

    func sessionCloses() throws -> [SessionCloseReason] {
        try events().compactMap {
            if case let .session(session) = $0.body, case let .closed(reason) = session.transition { return reason } else { return nil }
        }
    }
}

/// Polls `condition` every 50 ms until it holds, or fails after `timeout`. The condition is
/// asked once more after the deadline: on a loaded machine this task may wake only after the
/// deadline (the cooperative pool has one thread per core), and what it waited for may well have
/// happened by then.
func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    Issue.record("timed out waiting until \(what)")
    throw ProcessFailure(description: "timed out waiting until \(what)")
}
