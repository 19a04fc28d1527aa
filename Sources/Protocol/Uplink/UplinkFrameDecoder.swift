/// Splits a byte stream into uplink frames: feed it whatever arrived (a WebSocket message, a TCP
/// read, one byte), then call `next()` until it returns nil.
///
/// Header fields are checked as soon as their bytes arrive, so a bad peer is refused after at
/// most 13 bytes and an oversized frame is refused from its header alone, before any of its
/// payload is buffered. After an error the decoder is failed for good: `next()` throws the same
/// error again and `append` discards its input, because the stream cannot be resynchronised and
/// the connection must be closed.
public struct UplinkFrameDecoder: Sendable {
    public let maximumFrameSize: Int

    /// Received bytes; those before `start` are already decoded and get dropped by `compact()`.
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: UplinkDecodeError?

    /// `maximumFrameSize` bounds header plus payload; it must be at least the header size.
    public init(maximumFrameSize: Int = UplinkLimits.defaultMaximumFrameSize) {
        precondition(maximumFrameSize >= UplinkFrame.headerSize, "a frame needs at least its 13-byte header")
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// The size of the frame being assembled once its header is in, else the header size.
    public var bytesNeededForNextFrame: Int {
        guard bufferedByteCount >= UplinkFrame.headerSize else { return UplinkFrame.headerSize }
        return UplinkFrame.headerSize + Int(payloadLength)
    }

    /// The error that failed this decoder, if any.
    public var error: UplinkDecodeError? { failure }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(UplinkDecodeError) -> UplinkFrame? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            buffer = []
            start = 0
            throw error
        }
    }

    private mutating func decodeNext() throws(UplinkDecodeError) -> UplinkFrame? {
        let available = bufferedByteCount
        guard available >= 2 else { return nil }
        guard buffer[start] == UplinkFrame.magic[0], buffer[start + 1] == UplinkFrame.magic[1] else {
            throw .badMagic([buffer[start], buffer[start + 1]])
        }
        guard available >= 3 else { return nil }
        let version = buffer[start + 2]
        guard version == ImprimaturVersion.protocolVersion else { throw .unsupportedVersion(version) }
        guard available >= 4 else { return nil }
        guard let type = UplinkMessageType(rawValue: buffer[start + 3]) else {
            throw .unknownMessageType(buffer[start + 3])
        }
        guard available >= 5 else { return nil }
        let flags = buffer[start + 4]
        guard flags & ~UplinkFrame.responseFlag == 0 else { throw .reservedFlags(flags) }
        guard available >= UplinkFrame.headerSize else { return nil }
        let requestID = u32(at: start + 5)
        let isResponse = flags & UplinkFrame.responseFlag != 0
        guard !isResponse || requestID != 0 else { throw .responseWithoutRequestID }
        let frameSize = UInt64(UplinkFrame.headerSize) + UInt64(payloadLength)
        guard frameSize <= UInt64(maximumFrameSize) else {
            throw .frameTooLarge(size: frameSize, maximum: maximumFrameSize)
        }
        guard available >= Int(frameSize) else { return nil }

        let payloadStart = start + UplinkFrame.headerSize
        let payloadEnd = start + Int(frameSize)
        let message: UplinkMessage
        do {
            var reader = ByteReader(buffer, range: payloadStart..<payloadEnd)
            message = try UplinkMessage(type: type, payload: &reader)
        } catch {
            throw .payload(type, error)
        }
        start = payloadEnd
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return try UplinkFrame(message: message, requestID: requestID, isResponse: isResponse)
    }

    /// The payload length field of the buffered header (the caller checked it is complete).
    private var payloadLength: UInt32 { u32(at: start + 9) }

    private func u32(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16
            | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3])
    }

    /// Drops decoded bytes once they are at least half the buffer, so each byte is moved at
    /// most a bounded number of times (amortised O(1)) instead of shifting on every frame.
    private mutating func compact() {
        guard start > 0, start >= buffer.count - start else { return }
        buffer.removeSubrange(0..<start)
        start = 0
    }
}
