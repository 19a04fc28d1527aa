/// The version of a firmware image or of the firmware a device runs: offered over the uplink
/// (`firmwareOffer`), reported by the seal (`SealDeviceInfo`), read from the copier controller
/// (input registers 20-22). Ordered as the triple (major, minor, patch), so "never install an
/// older image" is one comparison.
///
/// Wire: three `u16`, major first, 6 bytes.
public struct FirmwareVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 6

    public let major: UInt16
    public let minor: UInt16
    public let patch: UInt16

    public init(major: UInt16, minor: UInt16, patch: UInt16) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `major.minor.patch`, e.g. `1.4.2`: three decimal numbers from 0 to 65535 with no
    /// sign, space or leading zero, so that each version has one spelling (its `description`).
    /// Nil for anything else.
    public init?(parsing text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
              let major = Self.component(parts[0]),
              let minor = Self.component(parts[1]),
              let patch = Self.component(parts[2])
        else { return nil }
        self.init(major: major, minor: minor, patch: patch)
    }

    private static func component(_ digits: Substring.UTF8View) -> UInt16? {
        guard (1...5).contains(digits.count),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.count == 1 || digits.first != UInt8(ascii: "0")
        else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return UInt16(exactly: value)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// `major.minor.patch`, e.g. `1.4.2`.
    public var description: String { "\(major).\(minor).\(patch)" }
}

extension FirmwareVersion: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u16(major)
        writer.u16(minor)
        writer.u16(patch)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        major = try reader.u16("firmware major")
        minor = try reader.u16("firmware minor")
        patch = try reader.u16("firmware patch")
    }
}
