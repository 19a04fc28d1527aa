import Testing
@testable import FirmwareSlots

/// fuzz-firmware-image's first finding (Fuzz/findings): lines split on "\n" Characters ran a
/// value ending in "\r" into the next line, since "\r\n" is one Character.
@Suite("Firmware settings lines")
struct FirmwareSettingsLineTests {
    @Test func aCarriageReturnBeforeTheNewlineEndsTheLineToo() throws {
        let settings = try FirmwareSettings(payload: Array("name=copier\r\npage-rate=2\n".utf8))
        #expect(settings.values["name"] == "copier\r")
        #expect(settings.pageRate == 2)
        // What it encodes parses back to the same settings.
        #expect(try FirmwareSettings(payload: settings.payload) == settings)
    }
}
