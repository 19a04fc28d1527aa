import Foundation
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
        (Credential.card(number: "", pin: nil), CredentialError.empty(field: "card number")),
        (.card(number: "12 34", pin: nil), .badCharacters(field: "card number")),
        (.card(number: "1234", pin: "12"), .badPIN),
        (.user(id: "alice", pin: "12ab"), .badPIN),
        (.card(number: String(repeating: "9", count: 65), pin: nil), .tooLong(field: "card number", maximum: 64)),
    ] as [(Credential, CredentialError)])
    func badCredentialsAreRefusedBeforeSending(credential: Credential, expected: CredentialError) {
        #expect(throws: expected) { try credential.validated() }
    }

    @Test func credentialsNeverPrintThePIN() {
        #expect(Credential.card(number: "77", pin: "123456").description == "card 77 + PIN")
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
