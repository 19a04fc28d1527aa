import Testing
@testable import Protocol

/// `FirmwareVersion` is the one version type of the uplink's firmware offer, the seal's device
/// info and the copier's input registers 20-22.
@Suite("Firmware version")
struct FirmwareVersionTests {
    @Test func encodesAsThreeBigEndianU16() throws {
        let version = FirmwareVersion(major: 1, minor: 4, patch: 2)
        #expect(version.wireBytes() == [0x00, 0x01, 0x00, 0x04, 0x00, 0x02])
        #expect(try FirmwareVersion(wireBytes: [0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00]) == FirmwareVersion(major: 65535, minor: 0, patch: 256))
        #expect(version.wireBytes().count == FirmwareVersion.byteCount)
    }

    @Test("a short version names the missing component", arguments: [
        (1, "firmware major"), (3, "firmware minor"), (5, "firmware patch"),
    ])
    func truncatedComponent(length: Int, field: String) {
        #expect(throws: WireError.truncated(field: field, needed: 2 - length % 2, available: length % 2)) {
            try FirmwareVersion(wireBytes: Array([0, 1, 0, 4, 0, 2].prefix(length)))
        }
    }

    @Test func ordersByMajorThenMinorThenPatch() {
        let ascending = [
            FirmwareVersion(major: 0, minor: 0, patch: 0), FirmwareVersion(major: 0, minor: 0, patch: 65535),
            FirmwareVersion(major: 0, minor: 1, patch: 0), FirmwareVersion(major: 1, minor: 0, patch: 0),
            FirmwareVersion(major: 1, minor: 9, patch: 9), FirmwareVersion(major: 2, minor: 0, patch: 0),
        ]
        for (lower, higher) in zip(ascending, ascending.dropFirst()) { #expect(lower < higher) }
        #expect(ascending.shuffled().sorted() == ascending)
    }

    @Test("parses its own description", arguments: ["0.0.0", "1.4.2", "10.20.30", "65535.65535.65535"])
    func parsesDescription(text: String) throws {
        let version = try #require(FirmwareVersion(parsing: text))
        #expect(version.description == text)
    }

    @Test("refuses every other spelling", arguments: [
        "", "1", "1.2", "1.2.3.4", "1..3", ".1.2", "1.2.", "01.2.3", "1.02.3", "1.2.00", "65536.0.0",
        "1.2.3 ", " 1.2.3", "+1.2.3", "-1.2.3", "1.2.x", "1,2,3", "v1.2.3", "１.2.3", "100000.0.0",
    ])
    func refusesOtherSpellings(text: String) {
        #expect(FirmwareVersion(parsing: text) == nil)
    }

    @Test func copierInputRegisters20To22HoldTheVersion() throws {
        let version = FirmwareVersion(major: 3, minor: 1, patch: 7)
        #expect(version.registers == [3, 1, 7])
        #expect(CopierModbusMap.Input.firmwareVersion.addresses == 20...22)
        #expect(CopierModbusMap.Input.firmwareVersion.addresses
            == CopierModbusMap.Input.firmwareMajor.addresses.lowerBound...CopierModbusMap.Input.firmwarePatch.addresses.upperBound)

        var statusBlock = [UInt16](repeating: 0xEEEE, count: Int(CopierModbusMap.Input.statusBlock.count))
        statusBlock.replaceSubrange(20...22, with: version.registers)
        #expect(FirmwareVersion(registers: statusBlock, at: Int(CopierModbusMap.Input.firmwareVersion.address)) == version)
        #expect(FirmwareVersion(registers: [3, 1, 7], at: 0) == version)
        #expect(FirmwareVersion(registers: [3, 1], at: 0) == nil)
        #expect(FirmwareVersion(registers: [3, 1, 7], at: 1) == nil)
        #expect(FirmwareVersion(registers: [3, 1, 7], at: -1) == nil)
    }
}
