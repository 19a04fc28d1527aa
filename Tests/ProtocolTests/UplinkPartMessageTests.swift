import Testing
@testable import Protocol

/// `partOffer`, `partChunk`, `partDone` (docs/protocol-uplink.md): the worked example's bytes,
/// and every bad field refused with its name.
@Suite("Uplink part messages")
struct UplinkPartMessageTests {
    typealias M = UplinkMessage
    static let hash = Hash32(unchecked: Array(repeating: 0xab, count: 32))

    /// The doc's worked example: part `split-sj-1-2`, 2 copies, colour, A3, 6 impressions, 1000 bytes.
    static let offerHex = "494d01500000000000000000390c73706c69742d736a2d312d320002010200000006000003e8"
        + String(repeating: "ab", count: 32)

    @Test func offerFrameIsTheDocumentedOne() throws {
        let offer = try M.PartOffer(partID: "split-sj-1-2", copies: 2, colour: true, paper: .a3, impressions: 6, pdfSize: 1000, pdfHash: Self.hash)
        let bytes = UplinkFrame(.partOffer(offer)).encode()
        #expect(Hex.encode(bytes) == Self.offerHex)
        #expect(try UplinkFrame.decode(bytes).message == .partOffer(offer))
        #expect(try UplinkKnownAnswers.doc.contains(Self.offerHex))
    }

    @Test func aFullChunkFitsInOneFrame() throws {
        let chunk = try M.PartChunk(partID: String(repeating: "p", count: 64), offset: 0, data: Array(repeating: 1, count: UplinkLimits.chunkSize))
        #expect(UplinkFrame(.partChunk(chunk)).encode().count <= UplinkLimits.defaultMaximumFrameSize)
    }

    @Test func offerRefusesEachBadField() throws {
        #expect(throws: WireError.invalidValue(field: "part id", reason: "length 0 is outside 1...64")) {
            try M.PartOffer(partID: "", copies: 1, colour: false, paper: .a4, impressions: 1, pdfSize: 1, pdfHash: Self.hash)
        }
        #expect(throws: WireError.invalidValue(field: "part id", reason: "\"a b\" has a character other than letters, digits, - _ . :")) {
            try M.PartOffer(partID: "a b", copies: 1, colour: false, paper: .a4, impressions: 1, pdfSize: 1, pdfHash: Self.hash)
        }
        #expect(throws: WireError.invalidValue(field: "part copies", reason: "1000 is outside 1...999")) {
            try M.PartOffer(partID: "p", copies: 1000, colour: false, paper: .a4, impressions: 1000, pdfSize: 1, pdfHash: Self.hash)
        }
        #expect(throws: WireError.invalidValue(field: "impressions", reason: "7 is not a positive multiple of the 2 copies")) {
            try M.PartOffer(partID: "p", copies: 2, colour: false, paper: .a4, impressions: 7, pdfSize: 1, pdfHash: Self.hash)
        }
        #expect(throws: WireError.invalidValue(field: "pdf size", reason: "33554433 is outside 1...33554432")) {
            try M.PartOffer(partID: "p", copies: 1, colour: false, paper: .a4, impressions: 1, pdfSize: 33_554_433, pdfHash: Self.hash)
        }
    }

    @Test func decoderRefusesBadBytes() throws {
        let offer = try #require(Hex.decode(Self.offerHex)).dropFirst(UplinkFrame.headerSize)
        var colour = Array(offer)
        colour[15] = 2 // the colour byte after "split-sj-1-2" and the copies
        #expect(throws: WireError.self) { try M(type: .partOffer, payload: colour) }
        var paper = Array(offer)
        paper[16] = 9
        #expect(throws: WireError.self) { try M(type: .partOffer, payload: paper) }
        #expect(throws: WireError.self) { try M(type: .partOffer, payload: Array(offer.dropLast())) }
        #expect(throws: WireError.self) { try M(type: .partOffer, payload: Array(offer) + [0]) }
        let done = try M.PartDone(partID: "p", pdfHash: Self.hash, outcome: .printed(copierJobSequence: 1, impressions: 2))
        var tag = M.partDone(done).payloadBytes()
        tag[2 + 32] = 3
        #expect(throws: WireError.unknownTag(field: "part outcome", tag: 3)) { try M(type: .partDone, payload: tag) }
    }

    @Test func chunkRefusesEmptyOversizedAndPastTheEnd() {
        #expect(throws: WireError.invalidValue(field: "part data", reason: "must not be empty")) {
            try M.PartChunk(partID: "p", offset: 0, data: [])
        }
        #expect(throws: WireError.tooLong(field: "part data", length: UplinkLimits.chunkSize + 1, limit: UplinkLimits.chunkSize)) {
            try M.PartChunk(partID: "p", offset: 0, data: Array(repeating: 0, count: UplinkLimits.chunkSize + 1))
        }
        #expect(throws: WireError.invalidValue(field: "part chunk", reason: "offset 33554432 + 1 byte(s) ends past the maximum size 33554432")) {
            try M.PartChunk(partID: "p", offset: 33_554_432, data: [0])
        }
    }

    @Test func doneRefusesOverlongText() {
        #expect(throws: WireError.self) {
            try M.PartDone(partID: "p", pdfHash: Self.hash, outcome: .notPrinted(String(repeating: "x", count: 1025)))
        }
    }
}

/// Event kind 7, a released part printed (docs/events.md).
@Suite("Part print event")
struct PartPrintEventTests {
    static func event(pages: UInt32 = 6, colour: UInt32 = 6, part: String = "split-sj-1-2") throws -> PartPrintEvent {
        try PartPrintEvent(sessionID: 4_000_000_001, copierJobSequence: 12, partID: part, pdfHash: UplinkPartMessageTests.hash,
                           pages: pages, copies: 2, colourPages: colour, monoPages: pages - colour, paperSize: .a3,
                           started: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000), ended: Timestamp(millisecondsSinceEpoch: 1_700_000_004_000), end: .completed)
    }

    @Test func roundTripsUnderTagSeven() throws {
        let body = EventBody.partPrint(try Self.event())
        let bytes = body.wireBytes()
        #expect(bytes.first == 7)
        #expect(try EventBody(wireBytes: bytes) == body)
    }

    @Test func refusesBadFields() throws {
        #expect(throws: WireError.invalidValue(field: "pages", reason: "must equal colour pages + mono pages (7 + 0), got 6")) {
            try PartPrintEvent(sessionID: 1, copierJobSequence: 1, partID: "p", pdfHash: UplinkPartMessageTests.hash, pages: 6, copies: 1,
                               colourPages: 7, monoPages: 0, paperSize: .a4, started: Timestamp(millisecondsSinceEpoch: 0), ended: Timestamp(millisecondsSinceEpoch: 0), end: .completed)
        }
        #expect(throws: WireError.invalidValue(field: "part id", reason: "\"a/b\" has a character other than letters, digits, - _ . :")) {
            try Self.event(part: "a/b")
        }
        var bytes = EventBody.partPrint(try Self.event()).wireBytes()
        bytes[bytes.count - 1] = 9
        #expect(throws: WireError.self) { try EventBody(wireBytes: bytes) }
    }
}
