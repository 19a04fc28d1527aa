extension UplinkMessage {
    /// Server → agent: a firmware image for the copier controller or the seal is ready to send.
    /// The image carries its own vendor signature, checked by the device (SPEC F3); the hash
    /// lets the agent check the transfer before handing the image on.
    public struct FirmwareOffer: Hashable, Sendable {
        /// Whether the image is for a copier controller or a seal.
        public let deviceKind: ResourceType
        public let version: FirmwareVersion
        /// 1 byte to 64 MiB.
        public let imageSize: UInt64
        public let imageHash: Hash32
        /// Names this transfer in `firmwareChunk` and `firmwareStatus`; chosen by the server.
        public let imageID: UInt64

        public init(deviceKind: ResourceType, version: FirmwareVersion, imageSize: UInt64, imageHash: Hash32, imageID: UInt64) throws(WireError) {
            guard (1...UplinkLimits.firmwareImageSize).contains(imageSize) else {
                throw .invalidValue(field: "image size", reason: "\(imageSize) is not between 1 and \(UplinkLimits.firmwareImageSize)")
            }
            self.deviceKind = deviceKind
            self.version = version
            self.imageSize = imageSize
            self.imageHash = imageHash
            self.imageID = imageID
        }
    }

    /// Server → agent: `data` is the image's bytes from `offset` on.
    public struct FirmwareChunk: Hashable, Sendable {
        public let imageID: UInt64
        public let offset: UInt64
        /// 1 byte to 512 KiB, ending within the largest image size.
        public let data: [UInt8]

        public init(imageID: UInt64, offset: UInt64, data: [UInt8]) throws(WireError) {
            try FieldRules.checkBytes(data.count, "image data", limit: UplinkLimits.chunkSize)
            try UplinkFieldRules.checkChunk(offset: offset, count: data.count, limit: UplinkLimits.firmwareImageSize, "firmware chunk")
            self.imageID = imageID
            self.offset = offset
            self.data = data
        }
    }

    /// Where a firmware update stands on the device.
    public enum FirmwareState: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
        /// The agent is receiving chunks; `bytesReceived` says where to resume.
        case receiving = 1
        /// The whole image arrived; its hash and vendor signature are being checked.
        case verifying = 2
        /// The device wrote the image to its spare slot.
        case installed = 3
        /// The device booted the new image and runs it on trial.
        case trial = 4
        /// The new image passed its trial and is now the working image.
        case confirmed = 5
        /// The trial failed; the device went back to its previous image.
        case rolledBack = 6
        /// The update failed before install (bad hash, bad signature, older version, ...).
        case failed = 7

        public var description: String {
            switch self {
            case .receiving: return "receiving"
            case .verifying: return "verifying"
            case .installed: return "installed"
            case .trial: return "trial"
            case .confirmed: return "confirmed"
            case .rolledBack: return "rolledBack"
            case .failed: return "failed"
            }
        }
    }

    /// Agent → server: progress of one firmware update.
    public struct FirmwareStatus: Hashable, Sendable {
        public let imageID: UInt64
        public let state: FirmwareState
        public let bytesReceived: UInt64
        /// Detail for the technician, UTF-8, at most 1024 bytes; may be empty.
        public let message: String

        public init(imageID: UInt64, state: FirmwareState, bytesReceived: UInt64, message: String) throws(WireError) {
            guard bytesReceived <= UplinkLimits.firmwareImageSize else {
                throw .invalidValue(field: "bytes received", reason: "\(bytesReceived) exceeds the maximum image size \(UplinkLimits.firmwareImageSize)")
            }
            try FieldRules.checkText(message, "firmware message", limit: UplinkLimits.textLength)
            self.imageID = imageID
            self.state = state
            self.bytesReceived = bytesReceived
            self.message = message
        }
    }
}

extension UplinkMessage.FirmwareOffer: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(deviceKind)
        writer.encode(version)
        writer.u64(imageSize)
        writer.encode(imageHash)
        writer.u64(imageID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            deviceKind: try reader.decode(),
            version: try reader.decode(),
            imageSize: try reader.u64("image size"),
            imageHash: try Hash32(from: &reader, field: "image hash"),
            imageID: try reader.u64("image id")
        )
    }
}

extension UplinkMessage.FirmwareChunk: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(imageID)
        writer.u64(offset)
        writer.bytes(data, .u32)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            imageID: try reader.u64("image id"),
            offset: try reader.u64("image offset"),
            data: try reader.bytes("image data", .u32, limit: UplinkLimits.chunkSize)
        )
    }
}

extension UplinkMessage.FirmwareState: WireEnum {
    public static let wireField = "firmware state"
}

extension UplinkMessage.FirmwareStatus: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(imageID)
        writer.encode(state)
        writer.u64(bytesReceived)
        writer.string(message, .u16)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            imageID: try reader.u64("image id"),
            state: try reader.decode(),
            bytesReceived: try reader.u64("bytes received"),
            message: try UplinkFieldRules.readText(&reader, "firmware message")
        )
    }
}
