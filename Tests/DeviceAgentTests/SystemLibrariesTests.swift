import Testing
@testable import DeviceAgent

@Suite("System libraries")
struct SystemLibrariesTests {
    @Test func libmodbusAndLibusbAreLinked() {
        // Debian 12 ships libmodbus 3.1.x and libusb 1.0.2x; an unlinked or wrong library
        // fails here rather than at the first Modbus or USB call in the field.
        #expect(SystemLibraries.libmodbusVersion.hasPrefix("3."))
        #expect(SystemLibraries.libusbVersion.hasPrefix("1.0."))
    }
}
