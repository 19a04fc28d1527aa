import Testing
@testable import Protocol

@Suite("Event encoding")
struct EventCodecTests {
    @Test("every kind of body round-trips through its canonical bytes", arguments: EventFixtures.everyBody)
    func roundTrip(body: EventBody) throws {
        let event = try Event(deviceID: EventFixtures.device, sequence: 9, previousHash: EventFixtures.blob, time: EventFixtures.exampleTime, body: body)
        let bytes = event.wireBytes()
        let decoded = try Event(wireBytes: bytes)
        #expect(decoded == event)
        #expect(decoded.wireBytes() == bytes)
        #expect(decoded.hash == event.hash)
    }

    @Test("every proper prefix of an event is refused as truncated", arguments: EventFixtures.everyBody)
    func prefixesAreTruncated(body: EventBody) throws {
        let bytes = try Event(deviceID: EventFixtures.device, sequence: 3, previousHash: EventFixtures.blob, time: EventFixtures.exampleTime, body: body).wireBytes()
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try Event(wireBytes: Array(bytes[..<length])) }
        }
    }

    @Test func eventHeaderLayout() throws {
        let event = EventFixtures.exampleSecond
        var expected = ByteWriter()
        expected.u8(8)
        expected.raw(Array("copier-1".utf8))
        expected.u64(2)
        expected.raw(EventFixtures.exampleFirst.hash.bytes)
        expected.i64(1_700_000_060_000)
        expected.u8(1)
        #expect(Array(event.wireBytes().prefix(expected.count)) == expected.bytes)
    }

    @Test func trailingBytesAreRefused() {
        #expect(throws: WireError.trailingBytes(count: 1)) {
            try Event(wireBytes: EventFixtures.exampleFirst.wireBytes() + [0])
        }
    }

    @Test("unassigned event kind tags are refused", arguments: [UInt8(0), 8, 255])
    func unknownKind(tag: UInt8) {
        let header = Array(EventFixtures.exampleFirst.wireBytes().prefix(1 + 8 + 8 + 32 + 8))
        #expect(throws: WireError.unknownTag(field: "event kind", tag: UInt64(tag))) {
            try Event(wireBytes: header + [tag])
        }
    }

    @Test func sequenceZeroIsRefused() throws {
        #expect(throws: WireError.invalidValue(field: "sequence", reason: "must be at least 1")) {
            try Event(deviceID: EventFixtures.device, sequence: 0, previousHash: .zero, time: EventFixtures.exampleTime, body: EventFixtures.fault)
        }
        var bytes = EventFixtures.exampleFirst.wireBytes()
        bytes[1 + 8 + 7] = 0 // the low byte of sequence 1
        #expect(throws: WireError.invalidValue(field: "sequence", reason: "must be at least 1")) { try Event(wireBytes: bytes) }
    }

    @Test func firstEventMustHaveZeroPreviousHash() {
        let error = WireError.invalidValue(field: "previous hash", reason: "must be all zero for sequence 1")
        #expect(throws: error) {
            try Event(deviceID: EventFixtures.device, sequence: 1, previousHash: EventFixtures.blob, time: EventFixtures.exampleTime, body: EventFixtures.fault)
        }
        var bytes = EventFixtures.exampleFirst.wireBytes()
        bytes[1 + 8 + 8] = 1
        #expect(throws: error) { try Event(wireBytes: bytes) }
    }

    @Test func truncatedPreviousHashIsNamed() {
        let bytes = Array(EventFixtures.exampleFirst.wireBytes().prefix(1 + 8 + 8 + 10))
        #expect(throws: WireError.truncated(field: "previous hash", needed: 22, available: 10)) { try Event(wireBytes: bytes) }
    }

    @Test func negativeTimeIsRefused() {
        var bytes = EventFixtures.exampleFirst.wireBytes()
        bytes[1 + 8 + 8 + 32] = 0x80
        #expect(throws: WireError.invalidValue(field: "timestamp", reason: "negative timestamp (\(Int64.min + 1_700_000_000_000))")) {
            try Event(wireBytes: bytes)
        }
    }

    @Test func eventAtTheEndOfTheSequenceSpaceHasNoSuccessor() throws {
        let last = try Event(deviceID: EventFixtures.device, sequence: .max, previousHash: EventFixtures.blob, time: EventFixtures.exampleTime, body: EventFixtures.fault)
        #expect(throws: WireError.invalidValue(field: "sequence", reason: "the chain is full")) {
            try Event(following: last, time: EventFixtures.exampleTime, body: EventFixtures.fault)
        }
    }

    @Test func bodyKindsMatchTheirTags() {
        #expect(EventFixtures.everyBody.map(\.kind.rawValue) == [5, 1, 2, 3, 4, 4, 5, 6])
        for body in EventFixtures.everyBody { #expect(body.wireBytes().first == body.kind.rawValue) }
    }
}
