import Testing
@testable import Protocol

/// `FirmwareSlotStatus`: one value for the copier's input 1000-1015 and the seal's frame 0x87.
@Suite("Firmware slot status")
struct FirmwareSlotStatusTests {
    typealias S = FirmwareSamples

    static let sample = FirmwareSlotStatus(
        imageID: 0x0102_0304, imageSize: 70_000, bytesReceived: 4100, state: .trial, result: .trialTimedOut,
        runningVersion: S.version("1.5.0"), minimumVersion: S.version("1.1.0"), trialBootsLeft: 2, trialSecondsLeft: 55
    )

    @Test func registersInTheMapsOrder() throws {
        let registers = Self.sample.registers
        #expect(registers == [0x0102, 0x0304, 0x0001, 0x1170, 0, 4100, 2, 27, 1, 5, 0, 1, 1, 0, 2, 55])
        #expect(registers.count == Int(CopierModbusMap.Input.firmwareStatus.count))
        #expect(try FirmwareSlotStatus(registers: registers) == Self.sample)
        #expect(try FirmwareSlotStatus(wireBytes: Self.sample.wireBytes()) == Self.sample)
        #expect(Self.sample.wireBytes().count == 31)
    }

    @Test func unknownStatesAndCodesAreRefusedByName() {
        var registers = Self.sample.registers
        registers[6] = 9
        #expect(throws: WireError.unknownTag(field: "firmware transfer state", tag: 9)) { try FirmwareSlotStatus(registers: registers) }
        registers = Self.sample.registers
        registers[7] = 99
        #expect(throws: WireError.unknownTag(field: "firmware result code", tag: 99)) { try FirmwareSlotStatus(registers: registers) }
        #expect(throws: WireError.invalidValue(field: "firmware status", reason: "15 register(s), expected 16")) {
            try FirmwareSlotStatus(registers: Array(Self.sample.registers.prefix(15)))
        }
    }

    /// The agent rebuilds the device's refusal from the code, its image and the status's versions.
    @Test func refusalsAreRebuiltFromTheCode() {
        func status(_ code: FirmwareResultCode) -> FirmwareSlotStatus {
            FirmwareSlotStatus(imageID: 1, imageSize: 0, bytesReceived: 0, state: .refused, result: code,
                               runningVersion: S.version("1.1.0"), minimumVersion: S.version("1.1.0"), trialBootsLeft: 0, trialSecondsLeft: 0)
        }
        let image = S.image(version: "1.0.0").signed(by: S.vendor).wireBytes()
        #expect(status(.notNewer).refusal(for: image, deviceModel: .copier) == .notNewer(image: S.version("1.0.0"), running: S.version("1.1.0")))
        #expect(status(.belowMinimumVersion).refusal(for: image, deviceModel: .copier) == .belowMinimumVersion(image: S.version("1.0.0"), minimum: S.version("1.1.0")))
        #expect(status(.unknownVendorKey).refusal(for: image, deviceModel: .copier) == .unknownVendorKey(S.vendor.keyID))
        #expect(status(.wrongModel).refusal(for: image, deviceModel: .seal) == .wrongModel(image: .copier, device: .seal))
        #expect(status(.sessionActive).refusal(for: image, deviceModel: .copier) == nil)
        for code in FirmwareResultCode.allCases where code.isRefusal {
            #expect(status(code).refusal(for: image, deviceModel: .copier).map { FirmwareResultCode($0) } == code, "\(code)")
        }
    }
}
