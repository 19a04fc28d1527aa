/// Cuts the byte stream of a USB bulk endpoint into seal frames. A transfer may hold part of a
/// frame or several frames: append each transfer as it arrives, then call `next()` until it
/// returns nil.
///
/// Framing errors are final: after bad magic, an over-long length or a bad CRC, every call to
/// `next()` throws the same error until `reset()`. Scanning for the next magic would guess at
/// a boundary in a stream that has already shown it cannot be trusted (and `5E A1` may occur
/// inside payloads); the agent instead resets the device and starts again with a device info
/// request, which also gives it a fresh nonce. Errors inside a frame whose CRC matched drop
/// that frame only.
public struct SealFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    /// Where the next frame starts in `buffer`; consumed bytes are dropped in bulk.
    private var start = 0
    public private(set) var failure: SealDecodeError?

    public init() {}

    /// Bytes received and not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil when more bytes are needed.
    public mutating func next() throws(SealDecodeError) -> SealFrame? {
        if let failure { throw failure }
        let available = buffer.count - start
        guard available >= 1 else { return nil }
        let magicSeen = min(available, SealFrame.magic.count)
        guard Array(buffer[start..<start + magicSeen]) == Array(SealFrame.magic[0..<magicSeen]) else {
            return try fail(.badMagic(found: Array(buffer[start..<start + magicSeen])))
        }
        guard available >= 4 else { return nil }
        let payloadLength = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        let frameLength = SealFrame.headerSize + payloadLength + SealFrame.trailerSize
        guard frameLength <= SealFrame.maximumFrameSize else {
            return try fail(.frameTooLong(length: frameLength, maximum: SealFrame.maximumFrameSize))
        }
        guard available >= frameLength else { return nil }

        let crcOffset = start + SealFrame.headerSize + payloadLength
        let computed = CRC32.checksum(buffer[start..<crcOffset])
        var carried: UInt32 = 0
        for index in crcOffset..<crcOffset + 4 { carried = carried << 8 | UInt32(buffer[index]) }
        guard computed == carried else { return try fail(.badCRC(expected: computed, got: carried)) }

        let frameStart = start
        start += frameLength
        let rawType = buffer[frameStart + 4]
        let sequence = UInt16(buffer[frameStart + 5]) << 8 | UInt16(buffer[frameStart + 6])
        guard let type = SealFrameType(rawValue: rawType) else {
            throw .unknownFrameType(rawType, sequence: sequence)
        }
        var reader = ByteReader(buffer, range: frameStart + SealFrame.headerSize..<crcOffset)
        let message: SealMessage
        do {
            message = try SealMessage.decodePayload(type, from: &reader)
        } catch {
            throw .payload(type, sequence: sequence, error)
        }
        guard reader.isAtEnd else {
            throw .trailingPayloadBytes(type, sequence: sequence, count: reader.remaining)
        }
        return SealFrame(sequence: sequence, message: message)
    }

    /// Forgets every buffered byte and any failure: call after the device has been reset.
    public mutating func reset() {
        buffer = []
        start = 0
        failure = nil
    }

    private mutating func fail(_ error: SealDecodeError) throws(SealDecodeError) -> SealFrame? {
        failure = error
        throw error
    }
}
