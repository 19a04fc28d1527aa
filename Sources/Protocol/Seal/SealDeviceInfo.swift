/// Seal model ids. Ids 0x02xx are seals, 0x01xx copiers (`CopierModel`).
public enum SealModel: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// The simulated seal of firmware-sim.
    case simulated = 0x0201

    public var name: String {
        switch self {
        case .simulated: return "IMP-SIM-S1"
        }
    }

    public var description: String { name }
}

extension SealModel: WireEnum {
    public static let wireField = "model id"
}

/// Answer to a device info request: who the seal is, and the nonce the next unlock must echo.
/// Each device info answer carries a fresh nonce and invalidates the previous one.
public struct SealDeviceInfo: Hashable, Sendable {
    public let model: SealModel
    /// The seal's serial: the resource id the server knows it by.
    public let serial: ResourceID
    public let firmware: FirmwareVersion
    public let nonce: SealNonce
    /// Stamps made over the seal's whole life.
    public let usesCounter: UInt32

    public init(model: SealModel, serial: ResourceID, firmware: FirmwareVersion, nonce: SealNonce, usesCounter: UInt32) {
        self.model = model
        self.serial = serial
        self.firmware = firmware
        self.nonce = nonce
        self.usesCounter = usesCounter
    }
}

extension SealDeviceInfo: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(model)
        writer.encode(serial)
        writer.encode(firmware)
        writer.encode(nonce)
        writer.u32(usesCounter)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        model = try reader.decode()
        serial = try reader.decode()
        firmware = try reader.decode()
        nonce = try reader.decode()
        usesCounter = try reader.u32("uses counter")
    }
}
