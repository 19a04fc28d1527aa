import FirmwareSlots
import Foundation
import Protocol
import SealSimulator
import Testing
import TestSupport

/// The seal's firmware frames (docs/seal-usb.md, "firmware begin" ...) handled by `SealFirmware`
/// with a real firmware bank in a temporary directory.
@Suite("Seal firmware frames")
struct SealFirmwareFrameTests {
    static let vendor = try! SigningKey(seed: [UInt8](repeating: 0x61, count: 32))

    static func image(_ version: String) -> [UInt8] {
        try! FirmwareImage(
            model: .seal, version: FirmwareVersion(parsing: version)!, minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
            payload: Array("name=seal \(version)\n".utf8), buildTime: Timestamp(secondsSinceEpoch: 1_790_000_000)
        ).signed(by: vendor).wireBytes()
    }

    static func bank(_ directory: TemporaryDirectory) throws -> FirmwareBank {
        try FirmwareBank(
            directory: directory.appending("firmware"), model: .seal, factoryVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
            factorySettings: FirmwareSettings(), vendorKeys: [vendor.publicKey],
            clock: { Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
        )
    }

    @Test func a_seal_without_a_boot_state_refuses_firmware_frames() {
        var driver = FirmwareDriver()
        let answer = driver.send(.firmwareBegin(SealFirmwareBegin(imageID: 1, imageSize: 10))).first?.message
        #expect(answer?.errorCode == .firmwareRejected)
    }

    @Test func begin_chunks_install_then_the_rebooted_seal_reports_the_new_version() throws {
        let directory = try TemporaryDirectory("seal-frames")
        let bank = try Self.bank(directory)
        var driver = FirmwareDriver(firmwareBank: bank)
        let image = Self.image("1.2.0")
        guard case let .firmwareStatus(begun)? = driver.send(.firmwareBegin(SealFirmwareBegin(imageID: 5, imageSize: UInt32(image.count)))).first?.message else {
            Issue.record("begin not answered with a firmware status")
            return
        }
        #expect(begun.state == .receiving && begun.bytesReceived == 0)
        let first = driver.send(.firmwareChunk(try SealFirmwareChunk(imageID: 5, offset: 0, data: Array(image.prefix(50))))).first?.message
        #expect(first == .firmwareChunkReceived(SealFirmwareChunkReceived(imageID: 5, bytesReceived: 50)))
        // A gap is refused, and says where to go on.
        let gap = driver.send(.firmwareChunk(try SealFirmwareChunk(imageID: 5, offset: 60, data: [1]))).first?.message
        guard case let .error(report)? = gap else {
            Issue.record("a chunk after a gap was not refused")
            return
        }
        #expect(report.code == .firmwareRejected && report.text.contains("bytes received 50"))
        _ = driver.send(.firmwareChunk(try SealFirmwareChunk(imageID: 5, offset: 50, data: Array(image.dropFirst(50)))))
        guard case let .firmwareStatus(installed)? = driver.send(.firmwareInstall(SealFirmwareInstall(imageID: 5))).first?.message else {
            Issue.record("install not answered with a firmware status")
            return
        }
        #expect(installed.state == .trial && driver.firmware.rebootRequested)
        try bank.reboot()
        var rebooted = FirmwareDriver(firmwareBank: bank)
        guard case let .deviceInfo(info)? = rebooted.send(.deviceInfoRequest).first?.message else {
            Issue.record("no device info")
            return
        }
        #expect(info.firmware == FirmwareVersion(major: 1, minor: 2, patch: 0))
        guard case let .firmwareStatus(confirmed)? = rebooted.send(.firmwareConfirm).first?.message else {
            Issue.record("confirm not answered with a firmware status")
            return
        }
        #expect(confirmed.state == .confirmed && confirmed.runningVersion == FirmwareVersion(major: 1, minor: 2, patch: 0))
    }

    @Test func no_firmware_while_a_session_is_open() throws {
        let directory = try TemporaryDirectory("seal-frames-busy")
        var driver = FirmwareDriver(firmwareBank: try Self.bank(directory))
        guard case .unlocked? = driver.unlock(SealFixtures.grant(), uses: 2) else {
            Issue.record("the seal did not unlock")
            return
        }
        guard case let .firmwareStatus(status)? = driver.send(.firmwareBegin(SealFirmwareBegin(imageID: 1, imageSize: 10))).first?.message else {
            Issue.record("begin not answered with a firmware status")
            return
        }
        #expect(status.result == .sessionActive)
        let chunk = driver.send(.firmwareChunk(try SealFirmwareChunk(imageID: 1, offset: 0, data: [1]))).first?.message
        #expect(chunk?.errorCode == .busy)
    }
}
