import FirmwareSlots
import Foundation
import Protocol
import Testing
import TestSupport

@Suite("Firmware bank: A/B slots, trial, rollback")
struct FirmwareBankTests {
    typealias S = SlotSamples

    @Test func freshDeviceRunsTheFactoryFirmware() throws {
        let directory = try TemporaryDirectory()
        let bank = try S.bank(directory, clock: TestClock())
        #expect(bank.current.version == S.version("1.0.0"))
        #expect(bank.current.settings.name == "factory")
        #expect(bank.status().state == .idle)
    }

    @Test func firstStartWithoutVendorKeysIsRefused() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: FirmwareBankError("first start needs at least one vendor public key (--vendor-key)")) {
            try FirmwareBank(directory: directory.path, model: .copier, factoryVersion: S.version("1.0.0"), factorySettings: S.factorySettings, vendorKeys: [], clock: { Timestamp(millisecondsSinceEpoch: 0) })
        }
    }

    @Test func acceptedImageRunsOnTrialThenConfirmedSurvivesRestart() throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let bank = try S.bank(directory, clock: clock)
        let image = S.image("1.1.0", minimum: "1.0.0", name: "fast")
        #expect(S.send(image, to: bank).bytesReceived == UInt32(image.count))
        guard case .reboot = bank.install(imageID: 7, sessionActive: false) else {
            Issue.record("install refused: \(bank.status())")
            return
        }
        try bank.reboot()
        #expect(bank.current.version == S.version("1.1.0"))
        #expect(bank.current.settings.name == "fast")
        #expect(bank.current.onTrial)
        let trial = bank.status()
        #expect(trial.state == .trial && trial.trialBootsLeft == 1 && trial.trialSecondsLeft == 30)
        let confirmed = bank.confirm()
        #expect(confirmed.state == .confirmed && confirmed.result == .none)
        #expect(confirmed.minimumVersion == S.version("1.0.0"))
        // A retried confirm (answer lost) changes nothing and succeeds.
        #expect(bank.confirm().result == .none)
        let restarted = try S.bank(directory, clock: clock)
        #expect(restarted.current.version == S.version("1.1.0") && !restarted.current.onTrial)
        #expect(restarted.bootRecord.active == .b)
    }

    @Test func unconfirmedTrialRollsBackByTime() throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let bank = try S.bank(directory, clock: clock)
        _ = S.send(S.image("1.1.0"), to: bank)
        _ = bank.install(imageID: 7, sessionActive: false)
        try bank.reboot()
        clock.advance(seconds: 29)
        #expect(!bank.trialExpired())
        clock.advance(seconds: 1)
        #expect(bank.trialExpired())
        try bank.reboot()
        #expect(bank.current.version == S.version("1.0.0"))
        let status = bank.status()
        #expect(status.state == .rolledBack && status.result == .trialTimedOut)
        #expect(bank.confirm().result == .notOnTrial)
    }

    /// A trial image that keeps crashing the device (killed before confirm) runs out of boots.
    @Test func unconfirmedTrialRollsBackAfterItsBoots() throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let bank = try S.bank(directory, clock: clock, boots: 2)
        _ = S.send(S.image("1.1.0"), to: bank)
        _ = bank.install(imageID: 7, sessionActive: false)
        try bank.reboot()
        #expect(bank.current.version == S.version("1.1.0"))
        let second = try S.bank(directory, clock: clock, boots: 2)
        #expect(second.current.version == S.version("1.1.0"))
        let third = try S.bank(directory, clock: clock, boots: 2)
        #expect(third.current.version == S.version("1.0.0"))
        #expect(third.status().result == .trialBootsExhausted)
    }

    @Test func aDamagedTrialSlotIsNeverRun() throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let bank = try S.bank(directory, clock: clock)
        _ = S.send(S.image("1.1.0"), to: bank)
        _ = bank.install(imageID: 7, sessionActive: false)
        let slot = directory.appending("firmware/slot-b.img")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: slot)))
        bytes[bytes.count - 1] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: slot))
        try bank.reboot()
        #expect(bank.current.version == S.version("1.0.0"))
        #expect(bank.status().result == .slotImageBroken)
    }

    @Test func aTransferResumesAfterTheDeviceRestarts() throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let image = S.image("1.1.0")
        do {
            let bank = try S.bank(directory, clock: clock)
            _ = bank.begin(imageID: 9, size: UInt32(image.count), sessionActive: false)
            #expect(bank.write(imageID: 9, offset: 0, data: Array(image[0..<100])).bytesReceived == 100)
        }
        let bank = try S.bank(directory, clock: clock)
        let resumed = bank.begin(imageID: 9, size: UInt32(image.count), sessionActive: false)
        #expect(resumed.bytesReceived == 100 && resumed.state == .receiving)
        // A chunk past the gap is refused and the status says where to go on; a repeat is harmless.
        #expect(bank.write(imageID: 9, offset: 150, data: [1]).result == .unexpectedOffset)
        #expect(bank.write(imageID: 9, offset: 0, data: Array(image[0..<100])).bytesReceived == 100)
        #expect(S.send(image, to: bank, imageID: 9).bytesReceived == UInt32(image.count))
        guard case .reboot = bank.install(imageID: 9, sessionActive: false) else {
            Issue.record("resumed image refused")
            return
        }
    }

    @Test func aNewImageIDStartsOver() throws {
        let directory = try TemporaryDirectory()
        let bank = try S.bank(directory, clock: TestClock())
        let image = S.image("1.1.0")
        _ = bank.begin(imageID: 1, size: UInt32(image.count), sessionActive: false)
        _ = bank.write(imageID: 1, offset: 0, data: Array(image[0..<50]))
        #expect(bank.begin(imageID: 2, size: UInt32(image.count), sessionActive: false).bytesReceived == 0)
        #expect(bank.write(imageID: 1, offset: 50, data: [0]).result == .noTransfer)
    }

    @Test func refusalsLeaveTheRunningImage() throws {
        let directory = try TemporaryDirectory()
        let bank = try S.bank(directory, clock: TestClock())
        let cases: [([UInt8], FirmwareResultCode)] = [
            (S.image("1.1.0", signer: nil), .unsigned),
            (S.image("1.1.0", signer: S.stranger), .unknownVendorKey),
            (S.image("1.1.0", model: .seal), .wrongModel),
            (S.image("1.0.0"), .notNewer),
            (S.image("2.0.0", minimum: "1.5.0"), .runningTooOld),
        ]
        for (image, code) in cases {
            _ = S.send(image, to: bank)
            guard case let .refused(status) = bank.install(imageID: 7, sessionActive: false) else {
                Issue.record("accepted an image that should be refused with \(code)")
                continue
            }
            #expect(status.result == code && status.state == .refused)
            #expect(bank.current.version == S.version("1.0.0"))
        }
        let image = S.image("1.1.0")
        _ = S.send(Array(image.dropLast()), to: bank)
        #expect(refusal(bank.install(imageID: 7, sessionActive: false)) == .malformed)
        #expect(bank.status().result == .malformed)
    }

    @Test func noFlashingWhileASessionIsUnlockedOrATrialRuns() throws {
        let directory = try TemporaryDirectory()
        let bank = try S.bank(directory, clock: TestClock())
        #expect(bank.begin(imageID: 1, size: 10, sessionActive: true).result == .sessionActive)
        _ = S.send(S.image("1.1.0"), to: bank)
        #expect(refusal(bank.install(imageID: 7, sessionActive: true)) == .sessionActive)
        _ = bank.install(imageID: 7, sessionActive: false)
        try bank.reboot()
        #expect(bank.begin(imageID: 8, size: 10, sessionActive: false).result == .trialPending)
    }

    @Test func bootRecordTextRoundTripsAndRefusesNonsense() throws {
        var record = FirmwareBootRecord(model: .seal, factoryVersion: S.version("1.0.0"), vendorKeys: VendorKeys([S.vendor.publicKey]))
        let manifest = try FirmwareImage.decode(S.image("1.2.0", model: .seal)).manifest
        record.installed(manifest, imageSHA256: .sha256([1]), now: Timestamp(millisecondsSinceEpoch: 5), trialBoots: 3, trialSeconds: 10)
        #expect(try FirmwareBootRecord(text: record.text) == record)
        #expect(throws: FirmwareBootRecord.TextError(reason: "unknown key colour")) {
            try FirmwareBootRecord(text: record.text + "colour=red\n")
        }
        #expect(throws: FirmwareBootRecord.TextError(reason: "active slot \"c\" is not a or b")) {
            try FirmwareBootRecord(text: record.text.replacingOccurrences(of: "active=a", with: "active=c"))
        }
    }
}

/// The result code of a refused install; nil when the image was installed.
func refusal(_ outcome: FirmwareBank.InstallOutcome) -> FirmwareResultCode? {
    guard case let .refused(status) = outcome else { return nil }
    return status.result
}
