import Foundation
import Testing
@testable import Protocol

/// RFC 8032 section 7.1 vectors, run through the shared `SigningKey` / `PublicKey` that grants use.
@Suite("Ed25519 known answers")
struct Ed25519KnownAnswerTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let secretKey: String
        let publicKey: String
        let message: String
        let signature: String

        var testDescription: String { name }
    }

    struct VectorFile: Decodable {
        let vectors: [Vector]
    }

    static let vectors: [Vector] = {
        guard let url = Bundle.module.url(forResource: "rfc8032-ed25519", withExtension: "json", subdirectory: "Vectors"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(VectorFile.self, from: data)
        else { return [] }
        return file.vectors
    }()

    @Test func allFourVectorsAreLoaded() {
        #expect(Self.vectors.map(\.name) == ["TEST 1", "TEST 2", "TEST 3", "TEST 1024"])
    }

    @Test(arguments: vectors)
    func seedGivesPublicKeyAndSignature(_ vector: Vector) throws {
        let key = try SigningKey(seed: try #require(Hex.decode(vector.secretKey)))
        let message = try #require(Hex.decode(vector.message))
        #expect(Hex.encode(key.publicKey.bytes) == vector.publicKey)
        #expect(Hex.encode(key.sign(message).bytes) == vector.signature)
    }

    @Test(arguments: vectors)
    func signatureVerifiesAndAFlippedBitDoesNot(_ vector: Vector) throws {
        let publicKey = try PublicKey(bytes: try #require(Hex.decode(vector.publicKey)))
        let message = try #require(Hex.decode(vector.message))
        let signatureBytes = try #require(Hex.decode(vector.signature))
        #expect(publicKey.isValidSignature(try Signature(bytes: signatureBytes), for: message))

        var flippedSignature = signatureBytes
        flippedSignature[5] ^= 0x01
        #expect(!publicKey.isValidSignature(try Signature(bytes: flippedSignature), for: message))

        // The empty message has no bit to flip; append a byte instead.
        var flippedMessage = message.isEmpty ? [0x00] : message
        if !message.isEmpty { flippedMessage[message.count - 1] ^= 0x80 }
        #expect(!publicKey.isValidSignature(try Signature(bytes: signatureBytes), for: flippedMessage))
    }
}
