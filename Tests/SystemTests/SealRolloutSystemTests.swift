import Foundation
import Glibc
import Protocol
import Testing
import TestSupport

/// A firmware rollout to the simulated USB seal, real processes only (the agent under
/// umockdev-wrapper, like `SealSystemTests`; scripts/test.sh runs it in its second pass): the
/// image arrives while a seal session is open and waits, verified, until the session ends; then
/// it is flashed, confirmed, and the seal reports the new version.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains("umockdev") ?? false,
                             "runs with the seal's USB tests under umockdev-wrapper (scripts/test.sh)"))
struct SealRolloutSystemTests {
    static let vendor = try! SigningKey(seed: Array(repeating: 0x3c, count: 32))

    static func device(_ box: SealBoxHarness, rollout: Int) async throws -> [String: Any] {
        let detail = try await box.system.api("/api/v1/firmware/rollouts/\(rollout)")
        return try #require((detail["devices"] as? [[String: Any]])?.first)
    }

    @Test func aRolloutWaitsForTheOpenSessionThenTheSealRunsTheNewVersion() async throws {
        let box = try SealBoxHarness()
        defer { box.stopAll() }
        try await box.start(sealArguments: ["--vendor-key", Hex.encode(Self.vendor.publicKey.bytes)])
        #expect(try box.panel("status")["firmware"] as? String == "1.0.0")

        // Alice's session is open at the seal.
        let application = try await box.approvedApplication(uses: 1)
        let tap = try box.tap(application)
        #expect(tap.answer["unlocked"] as? Bool == true, "\(tap.answer)")

        let image = try FirmwareImage(model: .seal, version: FirmwareVersion(major: 1, minor: 1, patch: 0),
                                      minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
                                      payload: Array("name=S1 rollout\nfeature=ink-saver\n".utf8),
                                      buildTime: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)).signed(by: Self.vendor).wireBytes()
        let path = box.system.directory.appending("seal-1.1.0.img")
        try Data(image).write(to: URL(fileURLWithPath: path))
        let uploaded = try box.system.serverCLI(["firmware", "upload", path])
        let imageID = try #require(uploaded.split(separator: " ").dropFirst(2).first.flatMap { Int($0.dropLast()) }, "\(uploaded)")
        let started = try await box.system.api("/api/v1/firmware/rollouts", token: box.system.apiToken, method: "POST",
                                               body: ["image": imageID, "devices": [SealBoxHarness.device]])
        let rollout = try #require(started["id"] as? Int)

        try await eventually("the image arrived and was checked", timeout: .seconds(30)) {
            try await Self.device(box, rollout: rollout)["step"] as? String == "verifying"
        }
        // Generous: the flash would take well under this if it did not wait.
        try await Task.sleep(for: .seconds(3))
        #expect(try await Self.device(box, rollout: rollout)["step"] as? String == "verifying", "no flash during the session")
        #expect(try box.panel("status")["firmware"] as? String == "1.0.0")

        // The one use ends the session; the flash goes ahead.
        #expect(try box.panel("stamp")["stamped"] as? Bool == true)
        try await eventually("the agent's session closed") { try box.agentStatus()["phase"] as? String == "locked" }
        try await eventually("the rollout reaches a final state", timeout: .seconds(120)) {
            ["confirmed", "failed", "rolled_back"].contains(try await Self.device(box, rollout: rollout)["state"] as? String ?? "")
        }
        let device = try await Self.device(box, rollout: rollout)
        #expect(device["state"] as? String == "confirmed", "\(device)")
        try await eventually("the seal reports 1.1.0") { try box.panel("status")["firmware"] as? String == "1.1.0" }
        let devices = try await box.system.api("/api/v1/devices")
        #expect((devices["items"] as? [[String: Any]])?.first { $0["id"] as? String == SealBoxHarness.device }?["firmware"] as? String == "1.1.0")
    }
}
