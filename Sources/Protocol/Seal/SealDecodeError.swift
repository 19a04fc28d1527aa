/// Why the seal frame decoder refused its input.
///
/// Framing errors (`badMagic`, `frameTooLong`, `badCRC`) mean the byte stream can no longer be
/// cut into frames with confidence: the decoder stops for good and the agent resets the USB
/// device. Content errors (the rest) come from a frame whose CRC matched: that frame is
/// dropped, the decoder carries on, and the receiver can answer with an error frame that
/// echoes `sequence`.
public enum SealDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes where a frame must start are not `5E A1` (`found` is the one or two bytes seen).
    case badMagic(found: [UInt8])
    /// The header announces a frame of `length` bytes, over `maximum`.
    case frameTooLong(length: Int, maximum: Int)
    /// The CRC computed over the frame (`expected`) is not the one it carries (`got`).
    case badCRC(expected: UInt32, got: UInt32)
    case unknownFrameType(UInt8, sequence: UInt16)
    /// The payload of a frame of `type` did not decode; the wire error names the field.
    case payload(SealFrameType, sequence: UInt16, WireError)
    /// The payload of a frame of `type` decoded with `count` bytes left over.
    case trailingPayloadBytes(SealFrameType, sequence: UInt16, count: Int)

    /// Whether the decoder has stopped for good (see the type's description).
    public var isFraming: Bool {
        switch self {
        case .badMagic, .frameTooLong, .badCRC: return true
        case .unknownFrameType, .payload, .trailingPayloadBytes: return false
        }
    }

    /// The error code a receiver answers with.
    public var errorCode: SealErrorCode {
        switch self {
        case .badMagic, .frameTooLong: return .badFrame
        case .badCRC: return .badCRC
        case .unknownFrameType: return .unknownCommand
        case .payload, .trailingPayloadBytes: return .invalidPayload
        }
    }

    public var description: String {
        switch self {
        case let .badMagic(found):
            return "bad seal frame magic: expected 5ea1, got \(Hex.encode(found))"
        case let .frameTooLong(length, maximum):
            return "seal frame too long: \(length) bytes exceeds the maximum of \(maximum)"
        case let .badCRC(expected, got):
            return "bad seal frame CRC: computed \(hex32(expected)), frame carries \(hex32(got))"
        case let .unknownFrameType(type, sequence):
            return "unknown seal frame type 0x\(Hex.encode([type])) (sequence \(sequence))"
        case let .payload(type, sequence, error):
            return "bad \(type) payload (sequence \(sequence)): \(error)"
        case let .trailingPayloadBytes(type, sequence, count):
            return "\(count) trailing byte(s) after the \(type) payload (sequence \(sequence))"
        }
    }
}

private func hex32(_ value: UInt32) -> String {
    "0x" + Hex.encode([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
}
