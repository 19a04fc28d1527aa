/// One frame on the seal's USB bulk endpoints:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | magic `5E A1` |
/// | 2 | 2 | payload length n (u16, at most `maximumPayloadSize`) |
/// | 4 | 1 | frame type (`SealFrameType`) |
/// | 5 | 2 | sequence (u16) |
/// | 7 | n | payload |
/// | 7+n | 4 | CRC-32/ISO-HDLC of bytes 0..<7+n, big-endian |
public struct SealFrame: Hashable, Sendable {
    public static let magic: [UInt8] = [0x5E, 0xA1]
    public static let headerSize = 7
    public static let trailerSize = 4
    /// The longest frame either side sends or accepts.
    public static let maximumFrameSize = 4096
    public static let maximumPayloadSize = maximumFrameSize - headerSize - trailerSize

    /// Commands carry the agent's sequence; answers echo the sequence of the command they
    /// answer; stamp reports carry the seal's own sequence, which the agent's ack echoes.
    public let sequence: UInt16
    public let message: SealMessage

    public init(sequence: UInt16, message: SealMessage) {
        self.sequence = sequence
        self.message = message
    }

    public var type: SealFrameType { message.type }

    /// The frame's bytes, CRC included. Every payload type is bounded well below
    /// `maximumPayloadSize` by its own limits, so encoding cannot fail.
    public func encode() -> [UInt8] {
        var payload = ByteWriter()
        message.encodePayload(to: &payload)
        precondition(payload.count <= Self.maximumPayloadSize, "seal payload of \(payload.count) bytes")
        var writer = ByteWriter(capacity: Self.headerSize + payload.count + Self.trailerSize)
        writer.raw(Self.magic)
        writer.u16(UInt16(payload.count))
        writer.u8(type.rawValue)
        writer.u16(sequence)
        writer.raw(payload.bytes)
        writer.u32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }
}
