import Testing
@testable import Protocol

/// Each kind's layout written out field by field (as docs/events.md lists it), then one test per
/// way its decoder refuses input.
@Suite("Event body layouts")
struct EventBodyCodecTests {
    static let grantBytes: [UInt8] = Array(0x00...0x0f)

    static func copyJobBytes(
        pages: UInt32 = 10, colour: UInt32 = 4, mono: UInt32 = 6, duplex: UInt8 = 1, paper: UInt8 = 1,
        started: Int64 = 1_700_000_005_000, ended: Int64 = 1_700_000_055_000, end: UInt8 = 1
    ) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(1)
        writer.u32(42)
        writer.string("alice", .u8)
        writer.raw(grantBytes)
        writer.u32(pages)
        writer.u32(2)
        writer.u32(colour)
        writer.u32(mono)
        writer.u8(duplex)
        writer.u8(paper)
        writer.i64(started)
        writer.i64(ended)
        writer.u8(end)
        return writer.bytes
    }

    static func contentBytes(page: UInt32 = 1, mediaType: [UInt8] = Array("image/png".utf8)) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(1)
        writer.u32(42)
        writer.u32(page)
        writer.raw(EventFixtures.blob.bytes)
        writer.u64(183_422)
        writer.bytes(mediaType, .u8)
        return writer.bytes
    }

    static func photoBytes(reason: UInt8 = 1) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(1)
        writer.raw(EventFixtures.blob.bytes)
        writer.u64(52_100)
        writer.string("image/jpeg", .u8)
        writer.u8(reason)
        return writer.bytes
    }

    static func sealUseBytes(
        application: String = "APP-2024-0001", useNumber: UInt32 = 1, place: [UInt8] = Array("本社 3F 法務部".utf8),
        coordinatePresence: UInt8 = 1, latitude: Int32 = 35_681_236, longitude: Int32 = 139_767_125
    ) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(7)
        writer.string(application, .u8)
        writer.raw(grantBytes)
        writer.string("alice", .u8)
        writer.u32(useNumber)
        writer.u32(2)
        writer.bytes(place, .u8)
        writer.u8(coordinatePresence)
        if coordinatePresence == 1 {
            writer.u32(UInt32(bitPattern: latitude))
            writer.u32(UInt32(bitPattern: longitude))
        }
        writer.u8(1)
        writer.raw(EventFixtures.blob.bytes)
        return writer.bytes
    }

    static func sessionBytes(transition: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(1)
        writer.raw(transition)
        writer.string("alice", .u8)
        writer.string("copier-1", .u8)
        writer.raw(grantBytes)
        return writer.bytes
    }

    static func faultBytes(component: [UInt8] = Array("modbus".utf8), message: [UInt8] = Array("Connection timed out".utf8)) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(component, .u8)
        writer.u32(110)
        writer.bytes(message, .u16)
        return writer.bytes
    }

    // MARK: layouts

    @Test func layoutsMatchTheDocumentedFieldOrder() {
        #expect(EventFixtures.copyJob.wireBytes() == [1] + Self.copyJobBytes())
        #expect(EventFixtures.content.wireBytes() == [2] + Self.contentBytes())
        #expect(EventFixtures.photo.wireBytes() == [3] + Self.photoBytes())
        #expect(EventFixtures.sealUse.wireBytes() == [4] + Self.sealUseBytes())
        #expect(EventFixtures.sessionOpened.wireBytes() == [5] + Self.sessionBytes(transition: [1]))
        #expect(EventFixtures.sessionClosed.wireBytes() == [5] + Self.sessionBytes(transition: [2, 2]))
        #expect(EventFixtures.fault.wireBytes() == [6] + Self.faultBytes())
    }

    @Test func sealUseWithoutCoordinateOrPhoto() {
        var writer = ByteWriter()
        writer.u8(4)
        writer.u64(7)
        writer.string("APP-2024-0001", .u8)
        writer.raw(Self.grantBytes)
        writer.string("alice", .u8)
        writer.u32(3)
        writer.u32(0)
        writer.string("Reception", .u8)
        writer.u8(0)
        writer.u8(0)
        #expect(EventFixtures.sealUseWithoutExtras.wireBytes() == writer.bytes)
    }

    // MARK: copy job

    @Test func copyJobPagesMustBeColourPlusMono() {
        #expect(throws: WireError.invalidValue(field: "pages", reason: "must equal colour pages + mono pages (4 + 6), got 11")) {
            try CopyJobEvent(wireBytes: Self.copyJobBytes(pages: 11))
        }
    }

    @Test func copyJobColourPlusMonoDoesNotOverflow() {
        #expect(throws: WireError.self) {
            try CopyJobEvent(wireBytes: Self.copyJobBytes(pages: 0, colour: .max, mono: 1))
        }
    }

    @Test func copyJobCannotEndBeforeItStarts() {
        #expect(throws: WireError.invalidValue(field: "ended", reason: "job ended (1000ms) before it started (2000ms)")) {
            try CopyJobEvent(wireBytes: Self.copyJobBytes(started: 2000, ended: 1000))
        }
    }

    @Test func copyJobRefusesANonCanonicalDuplexBool() {
        #expect(throws: WireError.invalidValue(field: "duplex", reason: "a bool must be 0 or 1, got 2")) {
            try CopyJobEvent(wireBytes: Self.copyJobBytes(duplex: 2))
        }
    }

    @Test func copyJobRefusesAnUnknownPaperSize() {
        #expect(throws: WireError.unknownTag(field: "paper size", tag: 7)) { try CopyJobEvent(wireBytes: Self.copyJobBytes(paper: 7)) }
    }

    @Test("copy job end reasons 1-6 are defined; 0 and 7 are refused", arguments: [UInt8(0), 7])
    func copyJobRefusesAnUnknownEnd(code: UInt8) {
        #expect(throws: WireError.unknownTag(field: "job end", tag: UInt64(code))) { try CopyJobEvent(wireBytes: Self.copyJobBytes(end: code)) }
    }

    @Test func copyJobEndCodes() {
        #expect(CopyJobEnd.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6])
    }

    @Test func everyCopierEndReasonHasAnEventEndReason() {
        let mapped = Set(CopierJobEnd.allCases.map(CopyJobEnd.init))
        #expect(mapped == Set(CopyJobEnd.allCases))
        #expect(CopyJobEnd(.budgetExhausted) == .budgetReached)
        #expect(CopyJobEnd(.watchdogExpired) == .watchdogExpired)
    }

    // MARK: content and photo

    @Test func contentPageNumbersStartAtOne() {
        #expect(throws: WireError.invalidValue(field: "page number", reason: "must be at least 1")) {
            try ContentEvent(wireBytes: Self.contentBytes(page: 0))
        }
    }

    /// Events carry `MediaType`, the uplink blob offer's type, so a pinned blob can always be offered.
    @Test(
        "media types are lower-case type/subtype (MediaType)",
        arguments: [
            ("", WireError.invalidValue(field: "media type", reason: "must not be empty")),
            ("image/png; q=1", .invalidValue(field: "media type", reason: "byte 59 at position 9 is not one of a-z 0-9 ! # $ & - ^ _ . + /")),
            ("image/svg/xml", .invalidValue(field: "media type", reason: "must be type/subtype: one '/' with text on both sides")),
            ("imagepng", .invalidValue(field: "media type", reason: "must be type/subtype: one '/' with text on both sides")),
            ("/png", .invalidValue(field: "media type", reason: "must be type/subtype: one '/' with text on both sides")),
            ("image/", .invalidValue(field: "media type", reason: "must be type/subtype: one '/' with text on both sides")),
            ("Image/png", .invalidValue(field: "media type", reason: "byte 73 at position 0 is not one of a-z 0-9 ! # $ & - ^ _ . + /")),
            ("image/pñg", .invalidValue(field: "media type", reason: "byte 195 at position 7 is not one of a-z 0-9 ! # $ & - ^ _ . + /")),
        ]
    )
    func mediaTypeRules(mediaType: String, error: WireError) {
        #expect(throws: error) { try MediaType(mediaType) }
        #expect(throws: error) { try ContentEvent(wireBytes: Self.contentBytes(mediaType: Array(mediaType.utf8))) }
    }

    @Test func mediaTypeAcceptsRFC6838NameCharacters() throws {
        let text = "application/vnd.imprimatur+x-scan_v2^1!#$&"
        let bytes = Self.contentBytes(mediaType: Array(text.utf8))
        #expect(try ContentEvent(wireBytes: bytes).mediaType == MediaType(text))
        #expect(try ContentEvent(wireBytes: bytes).wireBytes() == bytes)
    }

    @Test func mediaTypeLengthIsCheckedBeforeReading() {
        var bytes = Self.contentBytes(mediaType: [])
        bytes[bytes.count - 1] = 200
        #expect(throws: WireError.tooLong(field: "media type", length: 200, limit: 127)) { try ContentEvent(wireBytes: bytes) }
    }

    @Test("photo reasons 1-3 are defined; 0 and 4 are refused", arguments: [UInt8(0), 4])
    func photoRefusesAnUnknownReason(code: UInt8) {
        #expect(throws: WireError.unknownTag(field: "photo reason", tag: UInt64(code))) { try PhotoEvent(wireBytes: Self.photoBytes(reason: code)) }
    }

    // MARK: seal use

    @Test func sealApplicationIDFollowsIdentifierRules() {
        #expect(throws: WireError.invalidValue(field: "application id", reason: "byte 32 at position 3 is not one of A-Z a-z 0-9 . _ - : @")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(application: "APP 1"))
        }
        #expect(throws: WireError.invalidValue(field: "application id", reason: "must not be empty")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(application: ""))
        }
    }

    @Test func sealUseNumbersStartAtOne() {
        #expect(throws: WireError.invalidValue(field: "use number", reason: "must be at least 1")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(useNumber: 0))
        }
    }

    @Test func sealPlaceNameMustNotBeEmpty() {
        #expect(throws: WireError.invalidValue(field: "place name", reason: "must be at least 1 byte(s), got 0")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(place: []))
        }
    }

    @Test func sealPlaceNameIsAtMost128Bytes() {
        #expect(throws: WireError.tooLong(field: "place name", length: 129, limit: 128)) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(place: [UInt8](repeating: 0x41, count: 129)))
        }
        #expect(throws: WireError.tooLong(field: "place name", length: 129, limit: 128)) {
            try SealLocation(placeName: String(repeating: "A", count: 129))
        }
    }

    @Test func sealPlaceNameMustBeUTF8() {
        #expect(throws: WireError.invalidUTF8(field: "place name")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(place: [0x41, 0xff]))
        }
    }

    @Test func sealCoordinatePresenceIsABool() {
        #expect(throws: WireError.invalidValue(field: "coordinate presence", reason: "a bool must be 0 or 1, got 2")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(coordinatePresence: 2))
        }
    }

    @Test func sealCoordinatesAreOnTheEarth() {
        #expect(throws: WireError.invalidValue(field: "latitude", reason: "90000001 is outside -90000000...90000000")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(latitude: 90_000_001))
        }
        #expect(throws: WireError.invalidValue(field: "longitude", reason: "-180000001 is outside -180000000...180000000")) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(longitude: -180_000_001))
        }
        #expect(throws: Never.self) {
            try SealUseEvent(wireBytes: Self.sealUseBytes(latitude: -90_000_000, longitude: 180_000_000))
        }
    }

    /// Swift's `==` on String ignores Unicode normalisation; event bodies must not, because the
    /// two spellings hash differently in the chain.
    @Test func textIsComparedByItsBytes() throws {
        let composed = try SealLocation(placeName: "Caf\u{e9}")
        let decomposed = try SealLocation(placeName: "Cafe\u{301}")
        #expect(composed != decomposed)
        #expect(composed.wireBytes() != decomposed.wireBytes())
        #expect(try FaultEvent(component: "x", code: 1, message: "\u{e9}") != FaultEvent(component: "x", code: 1, message: "e\u{301}"))
    }

    // MARK: session

    @Test func sessionTransitionsAndReasons() throws {
        for reason in SessionCloseReason.allCases {
            let bytes = Self.sessionBytes(transition: [2, reason.rawValue])
            #expect(try SessionEvent(wireBytes: bytes).transition == .closed(reason))
        }
        #expect(SessionCloseReason.allCases.map(\.rawValue) == Array(1...8))
    }

    @Test("session transitions are 1 opened and 2 closed", arguments: [UInt8(0), 3])
    func sessionRefusesAnUnknownTransition(code: UInt8) {
        #expect(throws: WireError.unknownTag(field: "session transition", tag: UInt64(code))) {
            try SessionEvent(wireBytes: Self.sessionBytes(transition: [code]))
        }
    }

    @Test("close reasons 1-8 are defined; 0 and 9 are refused", arguments: [UInt8(0), 9])
    func sessionRefusesAnUnknownCloseReason(code: UInt8) {
        #expect(throws: WireError.unknownTag(field: "close reason", tag: UInt64(code))) {
            try SessionEvent(wireBytes: Self.sessionBytes(transition: [2, code]))
        }
    }

    // MARK: fault

    @Test func faultComponentMustNotBeEmpty() {
        #expect(throws: WireError.invalidValue(field: "component", reason: "must be at least 1 byte(s), got 0")) {
            try FaultEvent(wireBytes: Self.faultBytes(component: []))
        }
    }

    @Test func faultComponentIsAtMost64Bytes() {
        #expect(throws: WireError.tooLong(field: "component", length: 65, limit: 64)) {
            try FaultEvent(wireBytes: Self.faultBytes(component: [UInt8](repeating: 0x61, count: 65)))
        }
    }

    @Test func faultMessageIsAtMost1024Bytes() throws {
        let longest = [UInt8](repeating: 0x61, count: 1024)
        #expect(try FaultEvent(wireBytes: Self.faultBytes(message: longest)).message.utf8.count == 1024)
        #expect(throws: WireError.tooLong(field: "message", length: 1025, limit: 1024)) {
            try FaultEvent(wireBytes: Self.faultBytes(message: longest + [0x61]))
        }
        #expect(throws: WireError.tooLong(field: "message", length: 1025, limit: 1024)) {
            try FaultEvent(component: "camera", code: 0, message: String(repeating: "a", count: 1025))
        }
    }

    @Test func faultMessageMayBeEmptyButMustBeUTF8() throws {
        #expect(try FaultEvent(wireBytes: Self.faultBytes(message: [])).message == "")
        #expect(throws: WireError.invalidUTF8(field: "message")) {
            try FaultEvent(wireBytes: Self.faultBytes(message: [0xc3, 0x28]))
        }
    }
}
