extension CopierModbusMap.Input {
    /// Inputs 20-22 read together as one `FirmwareVersion`. Like `statusBlock` it spans several
    /// documented rows, so it is not listed in `all`.
    public static let firmwareVersion = InputField(
        "firmware version", address: firmwareMajor.address, count: UInt16(FirmwareVersion.registerCount), access: .readOnly
    )
}

/// The copier controller holds its firmware version in input registers 20-22, one component a
/// register: the same `FirmwareVersion` the uplink offers and the seal reports.
extension FirmwareVersion {
    public static let registerCount = 3

    /// `[major, minor, patch]`, the values of inputs 20, 21 and 22.
    public var registers: [UInt16] { [major, minor, patch] }

    /// The version in `registers[index]` (major) to `registers[index + 2]` (patch); nil when
    /// the array does not reach that far. Every value of the three registers is a version.
    public init?(registers: [UInt16], at index: Int) {
        guard index >= 0, index <= registers.count - Self.registerCount else { return nil }
        self.init(major: registers[index], minor: registers[index + 1], patch: registers[index + 2])
    }
}
