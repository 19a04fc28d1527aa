import DeviceAgent
import Foundation
import Synchronization
import Protocol
import Testing
import TestSupport

/// Samples for the seal flash tests below.
enum SealFlashSamples {
    static let vendor = try! SigningKey(seed: [UInt8](repeating: 0x51, count: 32))
    static let stranger = try! SigningKey(seed: [UInt8](repeating: 0x52, count: 32))

    static func version(_ text: String) -> FirmwareVersion { FirmwareVersion(parsing: text)! }

    static func image(_ version: String, model: ResourceType = .seal, padding: Int = 0, signer: SigningKey = vendor) -> [UInt8] {
        var text = "name=seal \(version)\nfeature=ink-saver\n"
        if padding > 0 { text += "# " + String(repeating: "y", count: padding) + "\n" }
        return try! FirmwareImage(
            model: model, version: Self.version(version), minimumVersion: Self.version("1.0.0"),
            payload: Array(text.utf8), buildTime: Timestamp(secondsSinceEpoch: 1_790_000_000)
        ).signed(by: signer).wireBytes()
    }

    static func firmwareArguments(trialSeconds: Int = 30) -> [String] {
        ["--vendor-key", Hex.encode(vendor.publicKey.bytes), "--trial-seconds", String(trialSeconds)]
    }

    static func deviceInfoVersion(_ channel: SealChannel) async throws -> FirmwareVersion {
        guard case let .deviceInfo(info) = try await channel.request(.deviceInfoRequest) else {
            throw ProcessFailure(description: "no device info")
        }
        return info.firmware
    }
}

/// Flashing the real `firmware-sim seal serve` over libusb and umockdev with `FirmwareFlasher`.
/// Part of `SealAgentUSBTests`, so these run one at a time with its tests: each points this
/// process's umockdev preload at its own seal (UMOCKDEV_DIR), which parallel suites would fight over.
extension SealAgentUSBTests {
    typealias F = SealFlashSamples

    @Test func a_signed_newer_image_is_confirmed_and_shows_in_device_info() async throws {
        let rig = try SealRig(extra: F.firmwareArguments())
        let channel = try rig.channel()
        defer { channel.close() }
        #expect(try await F.deviceInfoVersion(channel) == F.version("1.0.0"))
        let outcome = try await FirmwareFlasher(seal: channel).flash(image: F.image("1.3.0", padding: 5000), to: .seal) { _ in }
        #expect(outcome == .confirmed(F.version("1.3.0")))
        #expect(try await F.deviceInfoVersion(channel) == F.version("1.3.0"))
        let panel = try rig.panel("status")
        #expect(panel["firmware"] as? String == "1.3.0" && panel["firmware_name"] as? String == "seal 1.3.0")
    }

    @Test func images_the_seal_may_not_run_are_refused_with_the_reason() async throws {
        let rig = try SealRig(extra: F.firmwareArguments())
        let channel = try rig.channel()
        defer { channel.close() }
        let flasher = FirmwareFlasher(seal: channel)
        #expect(try await flasher.flash(image: F.image("1.3.0", signer: F.stranger), to: .seal) { _ in } == .refused(.unknownVendorKey(F.stranger.keyID)))
        #expect(try await flasher.flash(image: F.image("1.3.0", model: .copier), to: .seal) { _ in } == .refused(.wrongModel(image: .copier, device: .seal)))
        #expect(try await flasher.flash(image: F.image("1.0.0"), to: .seal) { _ in } == .refused(.notNewer(image: F.version("1.0.0"), running: F.version("1.0.0"))))
        #expect(try await F.deviceInfoVersion(channel) == F.version("1.0.0"))
    }

    /// The seal is killed mid-transfer and started again on its state: it runs its old image,
    /// kept the bytes it had, and the retried flash resumes and completes. (The agent lets go of
    /// the USB device first: umockdev's preload aborts a process whose device vanishes under an
    /// open connection, which a real seal being switched off would not do.)
    @Test func a_seal_killed_mid_transfer_resumes() async throws {
        let image = F.image("1.4.0", padding: 120_000)
        let first = try SealRig(extra: F.firmwareArguments())
        let channel = try first.channel()
        let flasher = FirmwareFlasher(seal: channel)
        let cut = Mutex(false)
        let halfway = Task {
            try await flasher.flash(image: image, to: .seal) { progress in
                if case let .transferring(sent, total) = progress, sent > total / 3 { cut.withLock { $0 = true } }
            }
        }
        while !cut.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        halfway.cancel()
        _ = await halfway.result
        channel.close()
        first.process.send(SIGKILL)
        _ = try? first.process.waitForExit(timeout: .seconds(10))
        let second = try SealRig(directory: first.directory, extra: F.firmwareArguments())
        let again = try second.channel()
        defer { again.close() }
        #expect(try await F.deviceInfoVersion(again) == F.version("1.0.0"))
        guard case let .firmwareStatus(kept) = try await again.request(.firmwareStatusRequest) else {
            Issue.record("no firmware status")
            return
        }
        #expect(kept.state == .receiving && kept.bytesReceived > 0)
        let outcome = try await FirmwareFlasher(seal: again).flash(image: image, to: .seal) { _ in }
        #expect(outcome == .confirmed(F.version("1.4.0")))
    }

    @Test func a_trial_image_never_confirmed_rolls_back_by_itself() async throws {
        let rig = try SealRig(extra: F.firmwareArguments(trialSeconds: 3))
        let channel = try rig.channel()
        defer { channel.close() }
        let image = F.image("1.5.0")
        let imageID = FirmwareFlasher.imageID(of: image)
        _ = try await channel.request(.firmwareBegin(SealFirmwareBegin(imageID: imageID, imageSize: UInt32(image.count))))
        _ = try await channel.request(.firmwareChunk(try SealFirmwareChunk(imageID: imageID, offset: 0, data: image)))
        guard case let .firmwareStatus(installed) = try await channel.request(.firmwareInstall(SealFirmwareInstall(imageID: imageID))) else {
            Issue.record("install not answered with a status")
            return
        }
        #expect(installed.state == .trial)
        #expect(try await F.deviceInfoVersion(channel) == F.version("1.5.0"))
        let deadline = ContinuousClock.now + .seconds(30)
        var status = installed
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            if case let .firmwareStatus(now) = try await channel.request(.firmwareStatusRequest) { status = now }
            if status.state == .rolledBack { break }
        }
        #expect(status.state == .rolledBack && status.result == .trialTimedOut)
        #expect(try await F.deviceInfoVersion(channel) == F.version("1.0.0"))
    }
}
