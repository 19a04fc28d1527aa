/// Agent → seal: start (or resume) a firmware transfer of `imageSize` bytes named `imageID`.
/// The same id and size as the transfer under way keeps its bytes; anything else empties it.
/// Answered by a firmware status.
public struct SealFirmwareBegin: Hashable, Sendable {
    public let imageID: UInt32
    public let imageSize: UInt32

    public init(imageID: UInt32, imageSize: UInt32) {
        self.imageID = imageID
        self.imageSize = imageSize
    }
}

extension SealFirmwareBegin: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(imageID)
        writer.u32(imageSize)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        imageID = try reader.u32("image id")
        imageSize = try reader.u32("image size")
    }
}

/// Agent → seal: check the whole image of transfer `imageID` and, if the seal may run it, write
/// it to the spare slot and reboot into it on trial. Answered by a firmware status before the
/// reboot (state trial, or refused with the reason).
public struct SealFirmwareInstall: Hashable, Sendable {
    public let imageID: UInt32

    public init(imageID: UInt32) { self.imageID = imageID }
}

extension SealFirmwareInstall: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.u32(imageID) }

    public init(from reader: inout ByteReader) throws(WireError) {
        imageID = try reader.u32("image id")
    }
}
