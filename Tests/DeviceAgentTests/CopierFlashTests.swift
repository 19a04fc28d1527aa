import Foundation
import Glibc
import Synchronization
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import DeviceAgent

/// Signed images for the flash tests: a vendor key the simulators trust, and one they do not.
enum FlashSamples {
    static let vendor = try! SigningKey(seed: [UInt8](repeating: 0x41, count: 32))
    static let stranger = try! SigningKey(seed: [UInt8](repeating: 0x42, count: 32))

    static func version(_ text: String) -> FirmwareVersion { FirmwareVersion(parsing: text)! }

    /// A signed image; `padding` bytes of comment make it long enough to be cut mid-transfer.
    static func image(
        _ version: String, minimum: String = "1.0.0", model: ResourceType = .copier, pageRate: Int = 200,
        padding: Int = 0, signer: SigningKey? = vendor
    ) -> [UInt8] {
        var text = "name=test \(version)\npage-rate=\(pageRate)\nfeature=stapling\n"
        if padding > 0 { text += "# " + String(repeating: "x", count: padding) + "\n" }
        let image = try! FirmwareImage(
            model: model, version: Self.version(version), minimumVersion: Self.version(minimum),
            payload: Array(text.utf8), buildTime: Timestamp(secondsSinceEpoch: 1_790_000_000)
        )
        return (signer.map { image.signed(by: $0) } ?? image).wireBytes()
    }

    static var vendorArguments: [String] { ["--vendor-key", Hex.encode(vendor.publicKey.bytes)] }
}

/// Flashing the real `firmware-sim copier serve` over Modbus with `FirmwareFlasher`: accepted
/// and refused images, and a flash cut by the agent, the link or the controller at points
/// along the way, which leaves the controller on a working image and completes when retried.
@Suite("Copier firmware flashing", .serialized)
struct CopierFlashTests {
    typealias S = FlashSamples

    final class Rig: Sendable {
        let directory: TemporaryDirectory
        let state: String
        let trial: [String]
        let copier: Mutex<SimulatedCopier>

        init(trialSeconds: Int = 30, trialBoots: Int = 3) throws {
            directory = try TemporaryDirectory("copier-flash")
            state = directory.appending("copier")
            trial = ["--trial-seconds", String(trialSeconds), "--trial-boots", String(trialBoots)]
            copier = Mutex(try SimulatedCopier(stateDirectory: state, extra: S.vendorArguments + trial))
        }

        var current: SimulatedCopier { copier.withLock { $0 } }

        /// A link with short timeouts, so a dead controller is noticed quickly.
        func flasher() -> FirmwareFlasher {
            FirmwareFlasher(copier: CopierLink(endpoint: current.endpoint, responseTimeout: .milliseconds(500)), rebootTimeout: .seconds(15))
        }

        /// SIGKILL (no clean shutdown), then a new controller on the same state directory.
        func killAndRestart() throws {
            current.process.send(SIGKILL)
            _ = try? current.process.waitForExit(timeout: .seconds(10))
            let next = try SimulatedCopier(stateDirectory: state, extra: trial)
            copier.withLock { $0 = next }
        }

        func client() throws -> ModbusClient {
            let client = ModbusClient(endpoint: current.endpoint, responseTimeout: .seconds(2))
            try client.connect()
            return client
        }

        /// Input 20-22: the version the controller runs.
        func runningVersion() throws -> FirmwareVersion {
            let registers = try client().readInputRegisters(address: 20, count: 3)
            return FirmwareVersion(major: registers[0], minor: registers[1], patch: registers[2])
        }

        func firmwareStatus() throws -> FirmwareSlotStatus {
            try FirmwareSlotStatus(registers: try client().readInputRegisters(address: 1000, count: 16))
        }

        func panelStatus() throws -> [String: Any] {
            let result = try ChildProcess.run(current.executable, ["copier", "status", "--panel", current.panel])
            return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        }

        func stop() { current.stop() }

        /// Makes every Modbus answer `milliseconds` late (nil clears it), so a transfer lasts
        /// long enough for a test to act in the middle of it on a loaded machine.
        func slowLink(_ milliseconds: Int?) throws {
            try current.fault(milliseconds.map { ["--delay-ms", String($0)] } ?? ["--clear"])
        }
    }

    @Test func acceptsASignedNewerImageAndTheControllerRunsIt() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        #expect(try rig.runningVersion() == S.version("1.0.0"))
        let phases = Mutex<[String]>([])
        let outcome = try await rig.flasher().flash(image: S.image("1.1.0", minimum: "1.0.0", pageRate: 200, padding: 2000), to: .copier) { progress in
            phases.withLock { $0.append(progress.description) }
        }
        #expect(outcome == .confirmed(S.version("1.1.0")))
        #expect(try rig.runningVersion() == S.version("1.1.0"))
        let status = try rig.firmwareStatus()
        #expect(status.state == .confirmed && status.runningVersion == S.version("1.1.0"))
        #expect(phases.withLock { $0.contains("running 1.1.0 on trial") && $0.contains("verifying") })
        // The payload's page rate is what the controller now runs at.
        let panel = try rig.panelStatus()
        #expect(panel["page_rate"] as? Double == 200)
        #expect(panel["firmware"] as? String == "1.1.0" && panel["firmware_name"] as? String == "test 1.1.0")
        #expect(panel["firmware_features"] as? [String] == ["stapling"] && panel["firmware_on_trial"] as? Bool == false)
        // Flashing the same image again changes nothing and says so.
        #expect(try await rig.flasher().flash(image: S.image("1.1.0", pageRate: 200, padding: 2000), to: .copier) { _ in } == .confirmed(S.version("1.1.0")))
    }

    @Test func refusesEachBadImageWithItsReason() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        let flasher = rig.flasher()
        var tampered = S.image("1.1.0")
        tampered[tampered.count - 1] ^= 0x01
        var badSignature = S.image("1.1.0")
        badSignature[100] ^= 0x01
        let cases: [([UInt8], FirmwareRefusal)] = [
            (S.image("1.1.0", signer: nil), .unsigned),
            (badSignature, .badSignature(S.vendor.keyID)),
            (S.image("1.1.0", signer: S.stranger), .unknownVendorKey(S.stranger.keyID)),
            (S.image("1.1.0", model: .seal), .wrongModel(image: .seal, device: .copier)),
            (tampered, .hashMismatch(expected: try FirmwareImage.decode(S.image("1.1.0")).manifest.payloadSHA256, actual: .sha256(Array(tampered.suffix(try FirmwareImage.decode(tampered).payload.count))))),
            (S.image("1.0.0"), .notNewer(image: S.version("1.0.0"), running: S.version("1.0.0"))),
            (S.image("2.0.0", minimum: "1.5.0"), .runningTooOld(running: S.version("1.0.0"), required: S.version("1.5.0"))),
        ]
        for (image, refusal) in cases {
            let outcome = try await flasher.flash(image: image, to: .copier) { _ in }
            #expect(outcome == .refused(refusal), "expected \(refusal)")
            #expect(try rig.runningVersion() == S.version("1.0.0"))
        }
        // Truncated: the bytes are not an image, refused before anything is sent.
        let truncated = try await flasher.flash(image: Array(S.image("1.1.0").dropLast(5)), to: .copier) { _ in }
        guard case .refused(.malformed) = truncated else {
            Issue.record("a truncated image was not refused as malformed: \(truncated)")
            return
        }
        // Below the minimum: 1.2.0, which may replace 1.1.0 and later, raises the minimum to
        // 1.1.0 once confirmed; 1.0.5 is then refused for that (and not merely for being older).
        #expect(try await flasher.flash(image: S.image("1.1.0"), to: .copier) { _ in } == .confirmed(S.version("1.1.0")))
        #expect(try await flasher.flash(image: S.image("1.2.0", minimum: "1.1.0"), to: .copier) { _ in } == .confirmed(S.version("1.2.0")))
        let below = try await flasher.flash(image: S.image("1.0.5"), to: .copier) { _ in }
        #expect(below == .refused(.belowMinimumVersion(image: S.version("1.0.5"), minimum: S.version("1.1.0"))))
        #expect(try rig.firmwareStatus().minimumVersion == S.version("1.1.0"))
    }

    @Test func noFlashWhileASessionIsUnlocked() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        try rig.client().unlock(tag: 1, budget: 10)
        await #expect(throws: FlashError.sessionActive) {
            try await rig.flasher().flash(image: S.image("1.1.0"), to: .copier) { _ in }
        }
        #expect(try rig.runningVersion() == S.version("1.0.0"))
    }

    /// The agent dies mid-transfer (its flash task is cancelled: no more writes arrive):
    /// the controller keeps its image and the bytes it has, and the next flash resumes.
    @Test func agentKilledMidTransferResumes() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        let image = S.image("1.1.0", padding: 60_000)
        try rig.slowLink(40)
        let flasher = rig.flasher()
        let task = Task { try await flasher.flash(image: image, to: .copier) { _ in } }
        try await waitUntil("a third of the image is on the controller", timeout: .seconds(60)) {
            (try? rig.firmwareStatus().bytesReceived).map { Int($0) > image.count / 3 } ?? false
        }
        task.cancel()
        let ended = await task.result
        guard case .failure(FlashError.cancelled) = ended else {
            Issue.record("the cancelled flash ended with \(ended)")
            return
        }
        let held = try rig.firmwareStatus()
        #expect(held.state == .receiving && held.bytesReceived > 0)
        #expect(try rig.runningVersion() == S.version("1.0.0"))
        try rig.slowLink(nil)
        let starts = Mutex<[Int]>([])
        let outcome = try await rig.flasher().flash(image: image, to: .copier) { progress in
            if case let .transferring(sent, _) = progress { starts.withLock { $0.append(sent) } }
        }
        #expect(outcome == .confirmed(S.version("1.1.0")))
        #expect((starts.withLock { $0.first } ?? 0) >= Int(held.bytesReceived) - CopierModbusMap.firmwareChunkDataSize * 32)
    }

    /// A rollout's flash and a technician's share the agent's one flasher: while one runs, the
    /// other is refused as busy (two transfers would write the same spare slot), and runs after.
    @Test func aSecondFlashToTheSameDeviceIsRefusedWhileTheFirstRuns() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        let image = S.image("1.1.0", padding: 30_000)
        try rig.slowLink(20)
        let flasher = rig.flasher()
        let first = Task { try await flasher.flash(image: image, to: .copier) { _ in } }
        try await waitUntil("the first flash is transferring", timeout: .seconds(60)) {
            (try? rig.firmwareStatus().bytesReceived).map { $0 > 0 } ?? false
        }
        await #expect(throws: FlashError.busy(.copier)) { try await flasher.flash(image: image, to: .copier) { _ in } }
        try rig.slowLink(nil)
        #expect(try await first.value == .confirmed(S.version("1.1.0")))
        // Once it has ended the device is free again.
        #expect(try await flasher.flash(image: image, to: .copier) { _ in } == .confirmed(S.version("1.1.0")))
    }

    /// The controller is killed mid-transfer and comes back: still the old image, the bytes it
    /// had kept, and a retry completes.
    @Test func controllerKilledMidTransferResumes() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        let image = S.image("1.1.0", padding: 60_000)
        try rig.slowLink(40)
        let flasher = rig.flasher()
        let task = Task { try await flasher.flash(image: image, to: .copier) { _ in } }
        try await waitUntil("part of the image is on the controller", timeout: .seconds(60)) {
            (try? rig.firmwareStatus().bytesReceived).map { Int($0) > image.count / 3 } ?? false
        }
        try rig.killAndRestart()
        task.cancel()
        _ = await task.result
        #expect(try rig.runningVersion() == S.version("1.0.0"))
        let status = try rig.firmwareStatus()
        let kept = Int(status.bytesReceived)
        #expect(kept > 0 && kept < image.count)
        let outcome = try await rig.flasher().flash(image: image, to: .copier) { _ in }
        #expect(outcome == .confirmed(S.version("1.1.0")))
        #expect(try rig.runningVersion() == S.version("1.1.0"))
    }

    /// The link drops mid-transfer (the controller closes connections for a while): the flasher
    /// reconnects and finishes on its own.
    @Test func droppedLinkIsRetried() async throws {
        let rig = try Rig()
        defer { rig.stop() }
        let image = S.image("1.1.0", padding: 60_000)
        try rig.slowLink(40)
        let flasher = rig.flasher()
        let task = Task { try await flasher.flash(image: image, to: .copier) { _ in } }
        try await waitUntil("part of the image is on the controller", timeout: .seconds(60)) {
            (try? rig.firmwareStatus().bytesReceived).map { Int($0) > image.count / 4 } ?? false
        }
        let fault = try ChildProcess.run(rig.current.executable, ["copier", "fault", "--panel", rig.current.panel, "--drop"])
        #expect(fault.status == 0, "\(fault.error)")
        try await Task.sleep(for: .milliseconds(800))
        _ = try ChildProcess.run(rig.current.executable, ["copier", "fault", "--panel", rig.current.panel, "--clear"])
        #expect(try await task.value == .confirmed(S.version("1.1.0")))
    }

    /// Killed while the new image runs on trial, before the agent confirmed it: the controller
    /// comes back on the trial image (one boot fewer), and the retried flash confirms it.
    @Test func controllerKilledOnTrialIsConfirmedByTheRetry() async throws {
        let rig = try Rig(trialBoots: 3)
        defer { rig.stop() }
        let image = S.image("1.1.0")
        let flasher = rig.flasher()
        let killed = Mutex(false)
        let task = Task {
            try await flasher.flash(image: image, to: .copier) { progress in
                guard case .trial = progress, !killed.withLock({ $0 }) else { return }
                killed.withLock { $0 = true }
                rig.current.process.send(SIGKILL)
            }
        }
        try await waitUntil("the controller was killed on trial", timeout: .seconds(60)) { killed.withLock { $0 } }
        task.cancel()
        _ = await task.result
        try rig.killAndRestart()
        let status = try rig.firmwareStatus()
        #expect(status.state == .trial && status.runningVersion == S.version("1.1.0") && status.trialBootsLeft == 1)
        #expect(try await rig.flasher().flash(image: image, to: .copier) { _ in } == .confirmed(S.version("1.1.0")))
    }

    /// A trial image that is never confirmed goes back by itself: by time, and by boots.
    @Test func unconfirmedTrialRollsBack() async throws {
        let rig = try Rig(trialSeconds: 6, trialBoots: 2)
        defer { rig.stop() }
        let image = S.image("1.1.0")
        let link = CopierLink(endpoint: rig.current.endpoint, responseTimeout: .seconds(1))
        let imageID = FirmwareFlasher.imageID(of: image)
        try await link.firmwareBegin(imageID: imageID, size: UInt32(image.count))
        var chunks: [(offset: UInt32, data: [UInt8])] = []
        for offset in stride(from: 0, to: image.count, by: 240) {
            chunks.append((UInt32(offset), Array(image[offset..<min(image.count, offset + 240)])))
        }
        try await link.firmwareChunks(chunks)
        try? await link.firmwareCommand(.install)  // the controller reboots and drops the link
        try await waitUntil("the image runs on trial") { (try? rig.firmwareStatus().state) == .trial }
        #expect(try rig.runningVersion() == S.version("1.1.0"))
        try await waitUntil("the trial rolled back", timeout: .seconds(20)) { (try? rig.firmwareStatus().state) == .rolledBack }
        #expect(try rig.runningVersion() == S.version("1.0.0"))
        #expect(try rig.firmwareStatus().result == .trialTimedOut)

        // By boots: installed again, then the controller dies twice before anyone confirms.
        let retry = CopierLink(endpoint: rig.current.endpoint, responseTimeout: .seconds(1))
        try await retry.firmwareBegin(imageID: imageID, size: UInt32(image.count))
        try await retry.firmwareChunks(chunks)
        try? await retry.firmwareCommand(.install)
        try await waitUntil("the image runs on trial again") { (try? rig.firmwareStatus().state) == .trial }
        try rig.killAndRestart()
        #expect(try rig.firmwareStatus().state == .trial)
        try rig.killAndRestart()
        let status = try rig.firmwareStatus()
        #expect(status.state == .rolledBack && status.result == .trialBootsExhausted)
        #expect(try rig.runningVersion() == S.version("1.0.0"))
    }
}

extension ModbusClient {
    /// Session tag, budget, relay on, as the agent unlocks.
    func unlock(tag: UInt32, budget: UInt32) throws {
        try writeRegisters(address: 4, RegisterPair.registers(tag))
        try writeRegisters(address: 2, RegisterPair.registers(budget))
        try writeCoil(address: 0, true)
    }
}
