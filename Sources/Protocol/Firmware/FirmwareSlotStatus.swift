/// Where a device's firmware stands: the transfer in progress and the slots. The copier serves
/// it as input registers 1000-1015 (docs/modbus-map.md), the seal in its firmware status frame
/// (docs/seal-usb.md); both are this one value.
public struct FirmwareSlotStatus: Hashable, Sendable {
    public static let registerCount = 16

    /// The transfer's image id (0 when none began since power-on or the last abort).
    public let imageID: UInt32
    /// The size announced at begin.
    public let imageSize: UInt32
    /// Bytes held from offset 0 without gaps: where the next chunk, or a resumed transfer, starts.
    public let bytesReceived: UInt32
    public let state: FirmwareTransferState
    /// Why the last step failed, or why a trial ended; `.none` otherwise.
    public let result: FirmwareResultCode
    public let runningVersion: FirmwareVersion
    /// The lowest version the device will ever run again.
    public let minimumVersion: FirmwareVersion
    /// While a trial image runs: boots it has left, and seconds before it rolls back.
    public let trialBootsLeft: UInt16
    public let trialSecondsLeft: UInt16

    public init(
        imageID: UInt32, imageSize: UInt32, bytesReceived: UInt32, state: FirmwareTransferState,
        result: FirmwareResultCode, runningVersion: FirmwareVersion, minimumVersion: FirmwareVersion,
        trialBootsLeft: UInt16, trialSecondsLeft: UInt16
    ) {
        self.imageID = imageID
        self.imageSize = imageSize
        self.bytesReceived = bytesReceived
        self.state = state
        self.result = result
        self.runningVersion = runningVersion
        self.minimumVersion = minimumVersion
        self.trialBootsLeft = trialBootsLeft
        self.trialSecondsLeft = trialSecondsLeft
    }

    /// The full refusal behind a refusal code, rebuilt from `image` (what the agent sent) and the
    /// versions in this status; nil when `result` is not a refusal.
    public func refusal(for image: [UInt8], deviceModel: ResourceType) -> FirmwareRefusal? {
        guard result.isRefusal else { return nil }
        let decoded: FirmwareImage
        do {
            decoded = try FirmwareImage.decode(image)
        } catch {
            return .malformed(error)
        }
        let manifest = decoded.manifest
        switch result {
        case .unsigned: return .unsigned
        case .unknownVendorKey: return decoded.signature.map { .unknownVendorKey($0.keyID) } ?? .unsigned
        case .badSignature: return decoded.signature.map { .badSignature($0.keyID) } ?? .unsigned
        case .hashMismatch: return .hashMismatch(expected: manifest.payloadSHA256, actual: .sha256(decoded.payload))
        case .wrongModel: return .wrongModel(image: manifest.model, device: deviceModel)
        case .belowMinimumVersion: return .belowMinimumVersion(image: manifest.version, minimum: minimumVersion)
        case .notNewer: return .notNewer(image: manifest.version, running: runningVersion)
        case .runningTooOld: return .runningTooOld(running: runningVersion, required: manifest.minimumVersion)
        default:
            // The bytes decode here, so the device found the payload unreadable (firmware.md).
            return .malformed(.invalidValue(field: "payload", reason: "the device cannot read the payload's settings"))
        }
    }
}

/// What a device is doing with firmware (input 1006 on the copier).
public enum FirmwareTransferState: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// No transfer; the running image is confirmed.
    case idle = 0
    /// A transfer began; `bytesReceived` of `imageSize` are held.
    case receiving = 1
    /// The new image runs on trial and waits for the agent's confirm.
    case trial = 2
    /// The last image was confirmed and is the working image.
    case confirmed = 3
    /// The last trial image was not confirmed; the device runs its previous image (`result` says why).
    case rolledBack = 4
    /// The device refused the last step (`result` says why); it runs what it ran before.
    case refused = 5

    public var description: String {
        switch self {
        case .idle: return "idle"
        case .receiving: return "receiving"
        case .trial: return "trial"
        case .confirmed: return "confirmed"
        case .rolledBack: return "rolled back"
        case .refused: return "refused"
        }
    }
}

extension FirmwareTransferState: WireEnum {
    public static let wireField = "firmware transfer state"
}

extension FirmwareSlotStatus: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(imageID)
        writer.u32(imageSize)
        writer.u32(bytesReceived)
        writer.encode(state)
        writer.encode(result)
        writer.encode(runningVersion)
        writer.encode(minimumVersion)
        writer.u16(trialBootsLeft)
        writer.u16(trialSecondsLeft)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(
            imageID: try reader.u32("image id"),
            imageSize: try reader.u32("image size"),
            bytesReceived: try reader.u32("bytes received"),
            state: try reader.decode(),
            result: try reader.decode(),
            runningVersion: try reader.decode(),
            minimumVersion: try reader.decode(),
            trialBootsLeft: try reader.u16("trial boots left"),
            trialSecondsLeft: try reader.u16("trial seconds left")
        )
    }
}

extension FirmwareSlotStatus {
    /// Input registers 1000-1015, in docs/modbus-map.md's order.
    public var registers: [UInt16] {
        RegisterPair.registers(imageID) + RegisterPair.registers(imageSize) + RegisterPair.registers(bytesReceived)
            + [UInt16(state.rawValue), result.rawValue]
            + [runningVersion.major, runningVersion.minor, runningVersion.patch]
            + [minimumVersion.major, minimumVersion.minor, minimumVersion.patch]
            + [trialBootsLeft, trialSecondsLeft]
    }

    /// Reads the 16 status registers; an unknown state or result value is refused by name.
    public init(registers: [UInt16]) throws(WireError) {
        guard registers.count == Self.registerCount else {
            throw .invalidValue(field: "firmware status", reason: "\(registers.count) register(s), expected \(Self.registerCount)")
        }
        guard registers[6] <= UInt8.max, let state = FirmwareTransferState(rawValue: UInt8(registers[6])) else {
            throw .unknownTag(field: FirmwareTransferState.wireField, tag: UInt64(registers[6]))
        }
        guard let result = FirmwareResultCode(rawValue: registers[7]) else {
            throw .unknownTag(field: FirmwareResultCode.wireField, tag: UInt64(registers[7]))
        }
        self.init(
            imageID: RegisterPair.join(high: registers[0], low: registers[1]),
            imageSize: RegisterPair.join(high: registers[2], low: registers[3]),
            bytesReceived: RegisterPair.join(high: registers[4], low: registers[5]),
            state: state, result: result,
            runningVersion: FirmwareVersion(major: registers[8], minor: registers[9], patch: registers[10]),
            minimumVersion: FirmwareVersion(major: registers[11], minor: registers[12], patch: registers[13]),
            trialBootsLeft: registers[14], trialSecondsLeft: registers[15]
        )
    }
}
