import DeviceAgent
import Foundation
import Logging
import Protocol
import TestSupport

/// Issue 6's figures, through the simulated seal (`firmware-sim seal serve`, umockdev) and
/// libusb: one bulk OUT + IN round trip (a status request), and tap → solenoid open (the
/// agent verifying a seal grant, then device info and unlock to the seal, which verifies the
/// grant again). Needs umockdev's preload in this process: `make bench` runs this section under
/// `umockdev-wrapper`.
enum SealBenchmarks {
    static func run() async throws {
        print("== Seal (USB through umockdev)")
        guard ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains("umockdev") ?? false else {
            print("skipped: run `umockdev-wrapper imprimatur-bench seal` (make bench does)")
            return
        }
        signal(SIGPIPE, SIG_IGN)
        let serverKey = SigningKey()
        let box = try DeviceID("bench-box")
        let seal = try ResourceID("bench-seal")
        let application = try ApplicationID("bench-app")
        let directory = try TemporaryDirectory("bench-seal")
        let simulator = try ChildProcess(try BuildProducts.executable("firmware-sim"), [
            "seal", "serve", "--state-dir", directory.appending("seal"), "--panel", "127.0.0.1:0",
            "--serial", seal.value, "--device-id", box.value, "--trusted-key", Hex.encode(serverKey.publicKey.bytes),
        ] + FirmwareBenchmarks.vendorArguments)
        let ready = try simulator.readLine(timeout: .seconds(30))
        guard let object = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any],
              let umockdev = object["umockdev_dir"] as? String else { throw ProcessFailure(description: "seal serve printed \(ready)") }
        setenv("UMOCKDEV_DIR", umockdev, 1)

        // Everything that talks to the seal has stopped before the seal goes: umockdev's
        // preload aborts a process whose device vanishes under an open ioctl connection.
        defer {
            simulator.send(SIGTERM)
            _ = try? simulator.waitForExit(timeout: .seconds(10))
        }
        try roundTrips()
        try await unlocks(serverKey: serverKey, box: box, seal: seal, application: application, directory: directory)
        let channel = SealChannel(link: try SealUSBLink(vendorID: 0xCAFE, productID: 0x4010))
        defer { channel.close() }
        try await FirmwareBenchmarks.seal(channel)
    }

    /// 1,000 status requests, each a bulk OUT transfer and a bulk IN transfer.
    static func roundTrips() throws {
        let channel = SealChannel(link: try SealUSBLink(vendorID: 0xCAFE, productID: 0x4010))
        defer { channel.close() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<20 { _ = try channel.requestBlocking(.statusRequest) }
        for _ in 0..<1000 {
            let start = clock.now
            _ = try channel.requestBlocking(.statusRequest)
            samples.append((clock.now - start).seconds * 1e3)
        }
        report("seal bulk round trip p50", percentile(samples, 50), "ms", note: "status request: OUT + IN through umockdev")
        report("seal bulk round trip p99", percentile(samples, 99), "ms")
    }

    /// 100 sessions: `SealAgent.use` from the call to the seal's `unlocked` answer, then a logout.
    static func unlocks(serverKey: SigningKey, box: DeviceID, seal: ResourceID, application: ApplicationID,
                        directory: TemporaryDirectory) async throws {
        let store = try AgentStore.open(path: directory.appending("agent.sqlite"), deviceID: box, deviceKey: SigningKey())
        defer { try? store.close() }
        try store.storeServerKeys([TrustedKey(serverKey.publicKey)])
        // Two info lines per session would bury the figures.
        var quiet = Logger(label: "imprimatur.bench.seal")
        quiet.logLevel = .warning
        let agent = SealAgent(
            settings: .init(deviceID: box, sealID: seal, location: try SealLocation(placeName: "bench"),
                            session: .init(watchdogMilliseconds: 3000, photoMode: .manual)),
            store: store, camera: SimulatedCamera(deviceName: "bench"), clock: AgentClock(), logger: quiet
        )
        await agent.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while !(await agent.status().connected) {
            guard ContinuousClock.now < deadline else { throw ProcessFailure(description: "the agent did not find the seal") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var samples: [Double] = []
        for index in 0..<100 {
            let now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
            let claims = try GrantClaims(
                grantID: GrantID(high: 0xBE, low: UInt64(index)), keyID: serverKey.keyID, deviceID: box, subject: try UserID("bench"),
                resourceID: seal, resourceType: .seal, allowance: .seal(uses: 1), applicationID: application,
                issuedAt: now, notBefore: now, expires: now.adding(seconds: 600)
            )
            let token = SignedGrant.sign(claims, with: serverKey).wireBytes()
            let start = ContinuousClock.now
            let result = await agent.use(grantToken: token, application: application)
            guard result.unlocked, let opened = await agent.lastUnlockConfirmed else {
                throw ProcessFailure(description: "unlock \(index) failed: \(result.message)")
            }
            if index >= 5 { samples.append((opened - start).seconds * 1e3) }
            _ = await agent.logout()
        }
        await agent.stop()
        report("seal unlock latency p50", percentile(samples, 50), "ms", note: "tap (verified grant) → seal answers unlocked")
        report("seal unlock latency p99", percentile(samples, 99), "ms")
    }
}
