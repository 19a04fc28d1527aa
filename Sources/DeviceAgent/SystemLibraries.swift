import CLibUSB
import CModbus
import ModbusIO

/// Versions of the C libraries the agent drives hardware with, as linked at run time.
/// Printed by `imprimatur-agent --version` and logged at start-up, since a field report is
/// useless without them.
public enum SystemLibraries {
    public static var libmodbusVersion: String {
        "\(libmodbus_version_major).\(libmodbus_version_minor).\(libmodbus_version_micro)"
    }

    public static var libusbVersion: String {
        guard let version = libusb_get_version()?.pointee else { return "unknown" }
        return "\(version.major).\(version.minor).\(version.micro)"
    }
}
