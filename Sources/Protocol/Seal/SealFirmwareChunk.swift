/// Agent → seal: one piece of a firmware image. The image format, its signature and when the
/// seal switches to it belong to the firmware part; this frame only carries bytes.
public struct SealFirmwareChunk: Hashable, Sendable {
    public static let maximumDataSize = 2048

    /// Names one transfer; a chunk with a new image id and offset 0 starts a new transfer.
    public let imageID: UInt32
    /// Where `data` goes in the image.
    public let offset: UInt64
    public let data: [UInt8]

    public init(imageID: UInt32, offset: UInt64, data: [UInt8]) throws(WireError) {
        try Self.check(data: data)
        guard UInt64.max - offset >= UInt64(data.count) else {
            throw .invalidValue(field: "offset", reason: "offset \(offset) plus \(data.count) byte(s) overflows 64 bits")
        }
        self.imageID = imageID
        self.offset = offset
        self.data = data
    }

    private static func check(data: [UInt8]) throws(WireError) {
        try FieldRules.checkBytes(data.count, "data", limit: maximumDataSize)
    }
}

extension SealFirmwareChunk: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(imageID)
        writer.u64(offset)
        writer.bytes(data, .u16)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            imageID: try reader.u32("image id"),
            offset: try reader.u64("offset"),
            data: try reader.bytes("data", .u16, limit: Self.maximumDataSize)
        )
    }
}

/// Seal → agent: the answer to a firmware chunk.
public struct SealFirmwareChunkReceived: Hashable, Sendable {
    public let imageID: UInt32
    /// Bytes of the image held so far, from offset 0 without gaps: the offset of the next
    /// chunk the seal expects.
    public let bytesReceived: UInt64

    public init(imageID: UInt32, bytesReceived: UInt64) {
        self.imageID = imageID
        self.bytesReceived = bytesReceived
    }
}

extension SealFirmwareChunkReceived: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(imageID)
        writer.u64(bytesReceived)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        imageID = try reader.u32("image id")
        bytesReceived = try reader.u64("bytes received")
    }
}
