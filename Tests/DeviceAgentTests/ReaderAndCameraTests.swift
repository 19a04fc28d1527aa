import Foundation
import Glibc
import Synchronization
import TestSupport
import Protocol
import Testing
@testable import DeviceAgent

@Suite("Card reader and camera")
struct ReaderAndCameraTests {
    static func keys(_ codes: [UInt16]) -> [UInt8] {
        codes.flatMap { KeyboardWedgeDecoder.event(code: $0, value: 1) + KeyboardWedgeDecoder.event(code: $0, value: 0) }
    }

    @Test func wedgeReaderTypesACardNumberAndEnter() {
        var decoder = KeyboardWedgeDecoder()
        // "0042" Enter, fed in awkward pieces, with a sync event (type 0) between keys.
        var bytes = Self.keys([11, 11, 5, 3]) + KeyboardWedgeDecoder.event(code: 0, value: 0, type: 0) + Self.keys([28])
        var cards: [String] = []
        while !bytes.isEmpty {
            let piece = Array(bytes.prefix(7))
            bytes.removeFirst(piece.count)
            cards += decoder.feed(piece)
        }
        #expect(cards == ["0042"])
    }

    @Test func wedgeReaderDiscardsOverLongEntries() {
        var decoder = KeyboardWedgeDecoder(maximumLength: 3)
        #expect(decoder.feed(Self.keys([2, 3, 4, 5, 28])) == [])
        #expect(decoder.feed(Self.keys([2, 28])) == ["1"])
    }

    @Test(arguments: [
        ("", "1234", WireError.invalidValue(field: "card number", reason: "must not be empty")),
        ("12 34", nil, nil),
        (String(repeating: "9", count: 65), nil, WireError.tooLong(field: "card number", length: 65, limit: 64)),
    ] as [(String, String?, WireError?)])
    func badCardsAreRefusedBeforeSending(number: String, pin: String?, expected: WireError?) {
        if let expected {
            #expect(throws: expected) { try Credential.card(number, pin: pin) }
        } else {
            #expect(throws: WireError.self) { try Credential.card(number, pin: pin) }
        }
    }

    @Test func credentialsNeverPrintThePIN() throws {
        let credential = try Credential.card("77", pin: "123456")
        #expect(credential.redacted == "card 77 + PIN")
        #expect(!"\(credential)".contains("123456"))
    }

    @Test func simulatedCameraMakesADistinctPNGPerMoment() async throws {
        let camera = SimulatedCamera(deviceName: "copier-1")
        let first = try await camera.capture(reason: .unlock, user: "alice", at: Date(timeIntervalSince1970: 1_800_000_000))
        let second = try await camera.capture(reason: .unlock, user: "alice", at: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(first.mediaType == "image/png")
        #expect(Array(first.bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(first != second)
    }

    @Test func commandCameraRunsTheCommandAndReportsFailures() async throws {
        let ok = CommandCamera(command: ["/bin/sh", "-c", "printf 'IMAGE'"], mediaType: "image/jpeg")
        let photo = try await ok.capture(reason: .unlock, user: "u", at: Date())
        #expect(photo.bytes == Array("IMAGE".utf8))
        let failing = CommandCamera(command: ["/bin/sh", "-c", "exit 3"])
        await #expect(throws: CommandCamera.Failure.self) { try await failing.capture(reason: .unlock, user: "u", at: Date()) }
        let hung = CommandCamera(command: ["/bin/sleep", "5"], timeout: .milliseconds(100))
        await #expect(throws: CommandCamera.Failure.self) { try await hung.capture(reason: .unlock, user: "u", at: Date()) }
    }
}

@Suite("Evdev card reader")
struct EvdevCardReaderTests {
    @Test func cardsTypedIntoTheDeviceAreDelivered() async throws {
        let directory = try TemporaryDirectory("evdev")
        let path = directory.appending("event0")
        #expect(mkfifo(path, 0o600) == 0)
        let cards = Mutex<[String]>([])
        // Opening a FIFO for reading blocks until a writer opens it: open the writer first, non-blocking read side.
        let reader = try EvdevCardReader(path: path) { card in cards.withLock { $0.append(card) } }
        defer { reader.stop() }
        let writer = open(path, O_WRONLY)
        #expect(writer >= 0)
        let bytes = ReaderAndCameraTests.keys([2, 3, 4, 28]) + ReaderAndCameraTests.keys([11, 11, 28])
        _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, bytes.count) }
        close(writer)
        try await waitUntil("two cards are read") { cards.withLock { $0 } == ["123", "00"] }
    }
}
