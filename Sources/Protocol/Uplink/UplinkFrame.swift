/// One uplink frame: a 13-byte header, then the message's canonical payload
/// (docs/protocol-uplink.md, "Frame").
///
/// ```
/// offset 0  2  magic "IM" (0x49 0x4D)
///        2  1  version (ImprimaturVersion.protocolVersion)
///        3  1  message type (UplinkMessageType)
///        4  1  flags: bit 0 = response to `request id`; bits 1-7 reserved, 0
///        5  4  request id (u32; 0 = unsolicited push)
///        9  4  payload length (u32)
///       13  …  payload
/// ```
public struct UplinkFrame: Hashable, Sendable {
    public static let magic: [UInt8] = [0x49, 0x4d]
    public static let headerSize = 13
    /// Flags bit 0: this frame answers the request whose id it carries.
    public static let responseFlag: UInt8 = 0x01

    public let message: UplinkMessage
    /// Matches a reply to its request; 0 for an unsolicited push.
    public let requestID: UInt32
    /// True when this frame answers request `requestID` (flags bit 0).
    public let isResponse: Bool

    /// A frame that is not a response: a push when `requestID` is 0, else a request.
    public init(_ message: UplinkMessage, requestID: UInt32 = 0) {
        self.message = message
        self.requestID = requestID
        isResponse = false
    }

    /// A frame with every header field given; a response must name a request (id not 0).
    public init(message: UplinkMessage, requestID: UInt32, isResponse: Bool) throws(UplinkDecodeError) {
        guard !isResponse || requestID != 0 else { throw .responseWithoutRequestID }
        self.message = message
        self.requestID = requestID
        self.isResponse = isResponse
    }

    /// The answer to request `requestID` (which must not be 0).
    public static func response(_ message: UplinkMessage, to requestID: UInt32) throws(UplinkDecodeError) -> UplinkFrame {
        try UplinkFrame(message: message, requestID: requestID, isResponse: true)
    }

    public var flags: UInt8 { isResponse ? Self.responseFlag : 0 }

    /// The whole frame: header and payload.
    public func encode() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.headerSize + 64)
        writer.raw(Self.magic)
        writer.u8(ImprimaturVersion.protocolVersion)
        writer.u8(message.type.rawValue)
        writer.u8(flags)
        writer.u32(requestID)
        writer.u32(0)
        message.encodePayload(to: &writer)
        let payloadLength = writer.count - Self.headerSize
        // Every message's field limits keep its payload far below 4 GiB.
        precondition(payloadLength <= Int(UInt32.max), "payload of \(payloadLength) bytes does not fit a frame")
        writer.patchU32(UInt32(payloadLength), at: Self.headerSize - 4)
        return writer.bytes
    }

    /// Decodes `bytes` as exactly one frame (one WebSocket binary message).
    public static func decode(
        _ bytes: [UInt8], maximumFrameSize: Int = UplinkLimits.defaultMaximumFrameSize
    ) throws(UplinkDecodeError) -> UplinkFrame {
        var decoder = UplinkFrameDecoder(maximumFrameSize: maximumFrameSize)
        decoder.append(bytes)
        guard let frame = try decoder.next() else {
            throw .incompleteFrame(needed: decoder.bytesNeededForNextFrame, available: bytes.count)
        }
        guard decoder.bufferedByteCount == 0 else { throw .bytesAfterFrame(count: decoder.bufferedByteCount) }
        return frame
    }
}
