import Foundation
import Glibc
import ModbusIO
import Protocol
import Testing
import TestSupport

/// SPEC F1/F3 end to end, all real processes: `imprimatur-server serve`, an enrolled
/// `imprimatur-agent run` and `firmware-sim copier serve` trusting a vendor key. An image is
/// uploaded with the CLI and rolled out with the API; the copier's Modbus inputs 20-22 show the
/// new version; an agent killed mid-transfer resumes from the bytes it holds; an image the copier does not trust fails
/// with the copier's reason in the rollout.
@Suite("Firmware rollout, whole system", .serialized)
struct FirmwareRolloutSystemTests {
    static let vendor = try! SigningKey(seed: Array(repeating: 0x5a, count: 32))
    static let stranger = try! SigningKey(seed: Array(repeating: 0x66, count: 32))

    /// A copier image; its payload is the simulator's settings text (docs/firmware.md), padded
    /// with a comment to about `size` bytes.
    static func image(_ version: String, payload size: Int, key: SigningKey = vendor) throws -> [UInt8] {
        let parsed = try #require(FirmwareVersion(parsing: version))
        var text = "name=rollout \(version)\npage-rate=120\nfeature=stapling\n"
        text += "# " + String(repeating: "x", count: max(0, size - text.utf8.count - 3)) + "\n"
        let payload = Array(text.utf8)
        return try FirmwareImage(model: .copier, version: parsed, minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0), payload: payload,
                                 buildTime: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)).signed(by: key).wireBytes()
    }

    /// `firmware upload FILE` as an administrator would run it; the image id.
    static func upload(_ harness: SystemHarness, _ bytes: [UInt8], name: String) throws -> Int {
        let path = harness.directory.appending(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let output = try harness.serverCLI(["firmware", "upload", path])
        let words = output.split(separator: " ")
        guard words.count > 2, words[0] == "firmware", words[1] == "image", let id = Int(words[2].dropLast()) else {
            throw ProcessFailure(description: "unexpected upload output: \(output)")
        }
        return id
    }

    static func rollout(_ harness: SystemHarness, image: Int) async throws -> Int {
        let started = try await harness.api("/api/v1/firmware/rollouts", token: harness.apiToken, method: "POST",
                                            body: ["image": image, "devices": ["copier-1"]])
        return try #require(started["id"] as? Int)
    }

    static func device(_ harness: SystemHarness, rollout: Int) async throws -> [String: Any] {
        let detail = try await harness.api("/api/v1/firmware/rollouts/\(rollout)")
        return try #require((detail["devices"] as? [[String: Any]])?.first)
    }

    static func runningVersion(_ harness: SystemHarness) throws -> FirmwareVersion {
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: harness.copierModbus), responseTimeout: .seconds(2))
        try client.connect()
        defer { client.close() }
        let registers = try client.readInputRegisters(address: 20, count: 3)
        return FirmwareVersion(major: registers[0], minor: registers[1], patch: registers[2])
    }

    static func start() async throws -> SystemHarness {
        let harness = try SystemHarness()
        try harness.setUpServer()
        try harness.startCopier(["--vendor-key", Hex.encode(vendor.publicKey.bytes), "--trial-seconds", "30"])
        try harness.enrollAndStartAgent()
        try await eventually("the agent is connected") {
            let devices = try await harness.api("/api/v1/devices")
            return (devices["items"] as? [[String: Any]])?.first?["last_seen"] != nil
        }
        return harness
    }

    @Test func aRolloutIsConfirmedAndTheCopierRunsTheNewVersion() async throws {
        let harness = try await Self.start()
        defer { harness.stopAll() }
        #expect(try Self.runningVersion(harness) == FirmwareVersion(major: 1, minor: 0, patch: 0))

        let image = try Self.upload(harness, try Self.image("1.2.0", payload: 200_000), name: "copier-1.2.0.img")
        let rollout = try await Self.rollout(harness, image: image)
        try await eventually("the rollout reaches a final state", timeout: .seconds(120)) {
            let state = try await Self.device(harness, rollout: rollout)["state"] as? String
            return ["confirmed", "failed", "rolled_back"].contains(state ?? "")
        }
        let device = try await Self.device(harness, rollout: rollout)
        #expect(device["state"] as? String == "confirmed", "\(device)")
        let reports = (device["reports"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
        #expect(reports.first == "receiving")
        #expect(Array(reports.suffix(4)) == ["verifying", "installed", "trial", "confirmed"], "\(reports)")
        #expect(try Self.runningVersion(harness) == FirmwareVersion(major: 1, minor: 2, patch: 0))

        // F1: the server knows the device's firmware now.
        let devices = try await harness.api("/api/v1/devices")
        #expect((devices["items"] as? [[String: Any]])?.first?["firmware"] as? String == "1.2.0")
        // Every step is in the audit log, chained.
        let audit = try await harness.api("/api/v1/audit?limit=1000")
        let actions = (audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        for action in ["firmware.upload", "firmware.rollout", "firmware.sending", "firmware.trial", "firmware.confirmed"] {
            #expect(actions.contains(action), "\(action) missing from \(actions)")
        }
        let verified = try await harness.api("/api/v1/audit/verify")
        #expect(verified["intact"] as? Bool == true, "\(verified)")
    }

    /// Bytes of the newest offered image the agent's store holds, read with the sqlite3 tool
    /// while the agent is stopped (so the value cannot move).
    static func agentHeldBytes(_ harness: SystemHarness) throws -> Int {
        let result = try ChildProcess.run("/usr/bin/sqlite3", ["-readonly", harness.directory.appending("agent/agent.sqlite"),
                                                               "SELECT received FROM firmware_downloads ORDER BY image_id DESC LIMIT 1"])
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test func anAgentKilledMidTransferResumesFromWhatItHolds() async throws {
        let harness = try await Self.start()
        defer { harness.stopAll() }
        let size = 16 << 20
        let image = try Self.upload(harness, try Self.image("1.3.0", payload: size - 64), name: "copier-1.3.0.img")
        // The agent runs in slices of 15 ms between SIGSTOPs, so the kill lands mid-transfer
        // however the machine schedules this test: it is killed while stopped, holding what the
        // store says.
        let agent = try #require(harness.agent)
        agent.send(SIGSTOP)
        let rollout = try await Self.rollout(harness, image: image)
        var held = 0
        for _ in 0..<2000 where held == 0 {
            agent.send(SIGCONT)
            usleep(15_000)
            agent.send(SIGSTOP)
            held = try Self.agentHeldBytes(harness)
        }
        try #require(held > 0, "the agent never stored a chunk")
        let whole = try #require(try await Self.device(harness, rollout: rollout)["image_size"] as? Int)
        try #require(held < whole, "the agent held the whole image (\(held) bytes) before it was stopped")
        agent.send(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(10))
        try await eventually("the rollout shows the device offline") {
            try await Self.device(harness, rollout: rollout)["state"] as? String == "offline"
        }
        let reportsBefore = (try await Self.device(harness, rollout: rollout)["reports"] as? [[String: Any]] ?? []).count
        try harness.startAgent()
        // The whole image arrived and passed its hash check; flashing 16 MiB over Modbus to the
        // end is left out (the first test flashes to confirmed): it would only load the machine.
        try await eventually("the image arrived whole after the restart", timeout: .seconds(120)) {
            let device = try await Self.device(harness, rollout: rollout)
            return (device["reports"] as? [[String: Any]] ?? []).count > reportsBefore
                && ["verifying", "installed", "trial", "confirmed"].contains(device["step"] as? String ?? "")
        }
        let device = try await Self.device(harness, rollout: rollout)
        #expect(device["bytes_received"] as? Int == whole, "\(device)")
        // The agent's answer to the offer after the restart: what it held; nothing from 0 again.
        // `held` is a lower bound: a chunk whose commit reached the WAL just before the stop, but
        // not yet the WAL index, is invisible to the read-only reader and is found by the agent's
        // recovery at restart (durable, so rightly kept). So at most one chunk (the server sends
        // 256 KiB chunks, FirmwareDelivery.chunkSize) more.
        let reports = (device["reports"] as? [[String: Any]] ?? []).dropFirst(reportsBefore)
        let answer = try #require(reports.first)
        let resumedFrom = answer["bytes_received"] as? Int ?? -1
        #expect(answer["state"] as? String == "receiving", "\(answer)")
        #expect((held...(held + 256 * 1024)).contains(resumedFrom), "held \(held): \(answer)")
        #expect(reports.filter { $0["state"] as? String == "receiving" }.allSatisfy { ($0["bytes_received"] as? Int ?? 0) >= held }, "\(reports)")
        #expect(try Self.runningVersion(harness) == FirmwareVersion(major: 1, minor: 0, patch: 0), "not confirmed yet")
    }

    @Test func anImageTheCopierDoesNotTrustFailsWithItsReason() async throws {
        let harness = try await Self.start()
        defer { harness.stopAll() }
        // The server cannot tell: it has no vendor keys. The copier refuses it.
        let image = try Self.upload(harness, try Self.image("2.0.0", payload: 50_000, key: Self.stranger), name: "copier-2.0.0-stranger.img")
        let rollout = try await Self.rollout(harness, image: image)
        try await eventually("the rollout reaches a final state", timeout: .seconds(120)) {
            let state = try await Self.device(harness, rollout: rollout)["state"] as? String
            return ["confirmed", "failed", "rolled_back"].contains(state ?? "")
        }
        let device = try await Self.device(harness, rollout: rollout)
        #expect(device["state"] as? String == "failed")
        let message = device["message"] as? String ?? ""
        #expect(message.contains("unknown-vendor-key"), "\(message)")
        #expect(try Self.runningVersion(harness) == FirmwareVersion(major: 1, minor: 0, patch: 0))

        // An unsigned image never gets that far: the server refuses the upload.
        let path = harness.directory.appending("unsigned.img")
        let unsigned = try FirmwareImage(model: .copier, version: FirmwareVersion(major: 2, minor: 1, patch: 0),
                                         minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0), payload: [1, 2, 3],
                                         buildTime: Timestamp(millisecondsSinceEpoch: 0)).wireBytes()
        try Data(unsigned).write(to: URL(fileURLWithPath: path))
        let result = try ChildProcess.run(harness.server, ["firmware", "upload", path, "--data", harness.data])
        #expect(result.status != 0)
        #expect(result.error.contains("not signed"), "\(result.error)")
    }
}
