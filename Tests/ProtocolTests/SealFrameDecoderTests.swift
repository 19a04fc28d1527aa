import Testing
@testable import Protocol

@Suite("Seal frame decoder")
struct SealFrameDecoderTests {
    static func drain(_ decoder: inout SealFrameDecoder) throws(SealDecodeError) -> [SealFrame] {
        var frames: [SealFrame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    @Test func byteByByte() throws {
        let frames = try SealSamples.frames()
        var decoder = SealFrameDecoder()
        var decoded: [SealFrame] = []
        for byte in frames.flatMap({ $0.encode() }) {
            decoder.append([byte])
            decoded += try Self.drain(&decoder)
        }
        #expect(decoded == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func splitAtEveryPosition() throws {
        let first = try SealSamples.frames()[1]
        let second = try SealSamples.heartbeatExample()
        let bytes = first.encode() + second.encode()
        for split in 0...bytes.count {
            var decoder = SealFrameDecoder()
            decoder.append(bytes[..<split])
            var decoded = try Self.drain(&decoder)
            decoder.append(bytes[split...])
            decoded += try Self.drain(&decoder)
            #expect(decoded == [first, second], "split at \(split)")
        }
    }

    @Test func severalFramesInOneAppend() throws {
        let frames = try SealSamples.frames()
        var decoder = SealFrameDecoder()
        decoder.append(frames.flatMap { $0.encode() })
        #expect(try Self.drain(&decoder) == frames)
    }

    @Test func incompleteFrameWaits() throws {
        let bytes = try SealSamples.heartbeatExample().encode()
        var decoder = SealFrameDecoder()
        decoder.append(bytes.dropLast())
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == bytes.count - 1)
    }

    // MARK: framing errors: final until reset

    @Test func badMagicIsSeenAtTheFirstWrongByte() throws {
        var decoder = SealFrameDecoder()
        decoder.append([0x5F])
        #expect(throws: SealDecodeError.badMagic(found: [0x5F])) { try decoder.next() }

        var second = SealFrameDecoder()
        second.append([0x5E, 0xA2, 0x00])
        #expect(throws: SealDecodeError.badMagic(found: [0x5E, 0xA2])) { try second.next() }
    }

    @Test func tooLongIsSeenFromTheHeaderAlone() throws {
        var decoder = SealFrameDecoder()
        decoder.append([0x5E, 0xA1, 0x0F, 0xF6])
        #expect(throws: SealDecodeError.frameTooLong(length: 4097, maximum: 4096)) { try decoder.next() }

        var largest = SealFrameDecoder()
        largest.append([0x5E, 0xA1, 0x0F, 0xF5])
        #expect(try largest.next() == nil)

        var extreme = SealFrameDecoder()
        extreme.append([0x5E, 0xA1, 0xFF, 0xFF])
        #expect(throws: SealDecodeError.frameTooLong(length: 65546, maximum: 4096)) { try extreme.next() }
    }

    @Test func badCRCNamesBothValues() throws {
        var bytes = try SealSamples.heartbeatExample().encode()
        bytes[8] ^= 0x01
        var decoder = SealFrameDecoder()
        decoder.append(bytes)
        let computed = CRC32.checksum(bytes.dropLast(4))
        #expect(throws: SealDecodeError.badCRC(expected: computed, got: 0x4EEB_3C05)) { try decoder.next() }
    }

    @Test func framingErrorsAreFinalUntilReset() throws {
        var bytes = try SealSamples.heartbeatExample().encode()
        bytes[bytes.count - 1] ^= 0xFF
        let good = try SealSamples.frames()[0]
        var decoder = SealFrameDecoder()
        decoder.append(bytes + good.encode())
        let error = SealDecodeError.badCRC(expected: 0x4EEB_3C05, got: 0x4EEB_3CFA)
        #expect(throws: error) { try decoder.next() }
        // The good frame behind it is not trusted: no resynchronisation.
        #expect(throws: error) { try decoder.next() }
        decoder.append(good.encode())
        #expect(throws: error) { try decoder.next() }
        #expect(decoder.failure == error)
        #expect(error.isFraming && error.errorCode == .badCRC)

        decoder.reset()
        #expect(decoder.failure == nil && decoder.bufferedByteCount == 0)
        decoder.append(good.encode())
        #expect(try decoder.next() == good)
    }

    // MARK: content errors: the frame is dropped, the decoder goes on

    @Test func unknownFrameTypeDropsThatFrameOnly() throws {
        var bytes = try SealSamples.heartbeatExample().encode()
        bytes[4] = 0x42
        let after = try SealSamples.frames()[2]
        var decoder = SealFrameDecoder()
        decoder.append(SealSamples.withFixedCRC(bytes) + after.encode())
        #expect(throws: SealDecodeError.unknownFrameType(0x42, sequence: 7)) { try decoder.next() }
        #expect(try decoder.next() == after)
    }

    /// Builds a frame of `type` around `payload`, with a correct CRC.
    static func frame(_ type: UInt8, sequence: UInt16 = 9, _ payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(SealFrame.magic)
        writer.u16(UInt16(payload.count))
        writer.u8(type)
        writer.u16(sequence)
        writer.raw(payload)
        writer.u32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    static func decodeOne(_ bytes: [UInt8]) throws(SealDecodeError) -> SealFrame? {
        var decoder = SealFrameDecoder()
        decoder.append(bytes)
        return try decoder.next()
    }

    static let contentErrors: [(String, [UInt8], SealDecodeError)] = [
        ("truncated payload field", frame(0x04, [0x07]),
         .payload(.heartbeat, sequence: 9, .truncated(field: "watchdog ms", needed: 1, available: 1))),
        ("truncated grant id", frame(0x82, [0x00, 0x01] + [UInt8](repeating: 0, count: 15)),
         .payload(.unlocked, sequence: 9, .truncated(field: "grant id", needed: 1, available: 15))),
        ("trailing bytes after a payload", frame(0x04, [0x07, 0xD0, 0x00]),
         .trailingPayloadBytes(.heartbeat, sequence: 9, count: 1)),
        ("trailing bytes after an empty payload", frame(0x03, [0x00]),
         .trailingPayloadBytes(.lock, sequence: 9, count: 1)),
        ("non-canonical bool", frame(0x85, [0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0xD0, 0x02]),
         .payload(.status, sequence: 9, .invalidValue(field: "seated", reason: "a bool must be 0 or 1, got 2"))),
        ("unknown lock state", frame(0x85, [0x02, 0x00, 0x00, 0x00, 0x01, 0x07, 0xD0, 0x01]),
         .payload(.status, sequence: 9, .unknownTag(field: "lock state", tag: 2))),
        ("over-long grant token", frame(0x02, [0x08, 0x01] + [UInt8](repeating: 0, count: 2049 + 18)),
         .payload(.unlock, sequence: 9, .tooLong(field: "grant token", length: 2049, limit: 2048))),
        ("over-long firmware data", frame(0x06, [UInt8](repeating: 0, count: 12) + [0xFF, 0xFF]),
         .payload(.firmwareChunk, sequence: 9, .tooLong(field: "data", length: 65535, limit: 2048))),
        ("invalid UTF-8 error text", frame(0x7F, [0x00, 0x01, 0x02, 0xC3, 0x28]),
         .payload(.error, sequence: 9, .invalidUTF8(field: "error text"))),
        ("unknown error code", frame(0x7F, [0x00, 0x0C, 0x00]),
         .payload(.error, sequence: 9, .unknownTag(field: "error code", tag: 12))),
        ("unknown seal model", frame(0x81, [0x01, 0x01]),
         .payload(.deviceInfo, sequence: 9, .unknownTag(field: "model id", tag: 0x0101))),
        ("bad serial", frame(0x81, [0x02, 0x01, 0x01, 0x20]),
         .payload(.deviceInfo, sequence: 9, .invalidValue(field: "resource id", reason: "byte 32 at position 0 is not one of A-Z a-z 0-9 . _ - : @"))),
        ("watchdog out of range", frame(0x04, [0x00, 0x63]),
         .payload(.heartbeat, sequence: 9, .invalidValue(field: "watchdog ms", reason: "must be 100...60000, got 99"))),
        ("zero uses", frame(0x02, [0x00, 0x01, 0xAA, 0x00, 0x00] + [UInt8](repeating: 0, count: 16)),
         .payload(.unlock, sequence: 9, .invalidValue(field: "uses", reason: "must be at least 1"))),
        ("unlocked with no uses left", frame(0x85, [0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 1, 0x07, 0xD0, 0x01]),
         .payload(.status, sequence: 9, .invalidValue(field: "uses remaining", reason: "an unlocked seal has at least 1 use left"))),
        ("stamp number zero", frame(0x90, [0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 16)),
         .payload(.stampReport, sequence: 9, .invalidValue(field: "stamp number", reason: "stamps are numbered from 1"))),
    ]

    @Test(arguments: contentErrors)
    func contentErrorsDropOneFrame(name: String, bytes: [UInt8], error: SealDecodeError) throws {
        let after = try SealSamples.heartbeatExample()
        var decoder = SealFrameDecoder()
        decoder.append(bytes + after.encode())
        #expect(throws: error, "\(name)") { try decoder.next() }
        #expect(!error.isFraming)
        #expect(error.errorCode == .invalidPayload)
        #expect(try decoder.next() == after, "\(name)")
    }

    @Test func descriptionsSayWhatWasWrong() {
        #expect(SealDecodeError.badMagic(found: [0x5E, 0xA2]).description == "bad seal frame magic: expected 5ea1, got 5ea2")
        #expect(SealDecodeError.frameTooLong(length: 4097, maximum: 4096).description
            == "seal frame too long: 4097 bytes exceeds the maximum of 4096")
        #expect(SealDecodeError.badCRC(expected: 0x4EEB_3C05, got: 1).description
            == "bad seal frame CRC: computed 0x4eeb3c05, frame carries 0x00000001")
        #expect(SealDecodeError.unknownFrameType(0x42, sequence: 7).description == "unknown seal frame type 0x42 (sequence 7)")
        #expect(SealDecodeError.payload(.heartbeat, sequence: 9, .truncated(field: "watchdog ms", needed: 1, available: 1)).description
            == "bad heartbeat payload (sequence 9): truncated watchdog ms: needed 1 more byte(s), 1 left")
        #expect(SealDecodeError.trailingPayloadBytes(.lock, sequence: 3, count: 2).description
            == "2 trailing byte(s) after the lock payload (sequence 3)")
    }

    @Test func everyAcceptedFrameReEncodesToTheSameBytes() throws {
        for frame in try SealSamples.frames() {
            let bytes = frame.encode()
            #expect(try Self.decodeOne(bytes)?.encode() == bytes)
        }
    }
}
