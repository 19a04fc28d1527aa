/// The controller firmware's version, as input registers 20-22 report it and the state file keeps it.
public struct CopierFirmwareVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let major: UInt16
    public let minor: UInt16
    public let patch: UInt16

    /// What a controller runs until a technician flashes another image.
    public static let factory = CopierFirmwareVersion(major: 1, minor: 0, patch: 0)

    public init(major: UInt16, minor: UInt16, patch: UInt16) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `MAJOR.MINOR.PATCH`, each a decimal 0...65535 without sign or leading zeros.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [UInt16] = []
        for part in parts {
            guard let number = UInt16(part), String(number) == part else { return nil }
            numbers.append(number)
        }
        self.init(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}
