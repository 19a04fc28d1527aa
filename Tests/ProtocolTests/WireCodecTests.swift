import Testing
@testable import Protocol

@Suite("Wire codec")
struct WireCodecTests {
    @Test func integersAreBigEndian() throws {
        var writer = ByteWriter()
        writer.u16(0x0102)
        writer.u32(0x0304_0506)
        writer.u64(0x0708_090a_0b0c_0d0e)
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.u16("a") == 0x0102)
        #expect(try reader.u32("b") == 0x0304_0506)
        #expect(try reader.u64("c") == 0x0708_090a_0b0c_0d0e)
        try reader.finish()
    }

    @Test func truncatedInputNamesTheField() {
        var reader = ByteReader([0x00, 0x01])
        #expect(throws: WireError.truncated(field: "count", needed: 2, available: 2)) {
            try reader.u32("count")
        }
    }

    @Test func nonCanonicalBoolIsRefused() {
        var reader = ByteReader([2])
        #expect(throws: WireError.invalidValue(field: "flag", reason: "a bool must be 0 or 1, got 2")) {
            try reader.bool("flag")
        }
    }

    @Test func lengthOverLimitIsRefusedBeforeReading() {
        var reader = ByteReader([0x00, 0x10] + [UInt8](repeating: 0, count: 16))
        #expect(throws: WireError.tooLong(field: "name", length: 16, limit: 8)) {
            try reader.bytes("name", .u16, limit: 8)
        }
    }

    @Test func lengthBeyondInputIsTruncation() {
        var reader = ByteReader([0x00, 0x00, 0x01, 0x00, 0xaa])
        #expect(throws: WireError.truncated(field: "blob", needed: 255, available: 1)) {
            try reader.bytes("blob", .u32, limit: 1 << 20)
        }
    }

    @Test func invalidUTF8IsRefused() {
        var reader = ByteReader([2, 0xc3, 0x28])
        #expect(throws: WireError.invalidUTF8(field: "text")) { try reader.string("text", .u8, limit: 10) }
    }

    @Test func trailingBytesAreRefused() {
        #expect(throws: WireError.trailingBytes(count: 1)) {
            try Timestamp(wireBytes: [0, 0, 0, 0, 0, 0, 0, 1, 9])
        }
    }

    @Test func identifiersRoundTripAndRefuseBadCharacters() throws {
        let device = try DeviceID("copier-3f.01")
        #expect(try DeviceID(wireBytes: device.wireBytes()) == device)
        #expect(throws: WireError.self) { try UserID("bad name") }
        #expect(throws: WireError.invalidValue(field: "user id", reason: "must not be empty")) { try UserID("") }
        #expect(throws: WireError.tooLong(field: "device id", length: 65, limit: 64)) {
            try DeviceID(wireBytes: [65] + [UInt8](repeating: UInt8(ascii: "a"), count: 65))
        }
    }

    @Test func negativeTimestampIsRefused() {
        #expect(throws: WireError.invalidValue(field: "timestamp", reason: "negative timestamp (-1)")) {
            try Timestamp(wireBytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        }
    }

    @Test func hexRoundTrips() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
