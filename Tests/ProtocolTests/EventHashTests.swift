import Crypto
import Foundation
import Testing
@testable import Protocol

/// The worked example of docs/events.md (Vectors/event-example.json).
struct EventExampleVectors: Decodable {
    struct ExampleEvent: Decodable {
        let canonicalBytes: String
        let hash: String
        let merkleLeafHash: String
    }

    let events: [ExampleEvent]
    let merkleRoot: String
    let deviceKeySeed: String
    let devicePublicKey: String
    let deviceKeyID: String
    let checkpoint: String
    let signedCheckpoint: String

    static func load() throws -> EventExampleVectors {
        let url = try #require(Bundle.module.url(forResource: "event-example", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(EventExampleVectors.self, from: Data(contentsOf: url))
    }
}

@Suite("Event hash")
struct EventHashTests {
    let vectors: EventExampleVectors

    init() throws { vectors = try EventExampleVectors.load() }

    @Test func theWorkedExampleEncodesAndHashesAsDocumented() throws {
        let examples = [EventFixtures.exampleFirst, EventFixtures.exampleSecond]
        for (event, expected) in zip(examples, vectors.events) {
            #expect(Hex.encode(event.wireBytes()) == expected.canonicalBytes)
            #expect(event.hash.hex == expected.hash)
            #expect(event.merkleLeafHash.hex == expected.merkleLeafHash)
            #expect(try Event(wireBytes: try #require(Hex.decode(expected.canonicalBytes))) == event)
        }
        #expect(EventFixtures.exampleSecond.previousHash.hex == vectors.events[0].hash)
    }

    /// The rule restated with nothing but SHA-256, as a peer in another language would apply it.
    @Test func theHashIsSHA256OfTheLabelThenTheBytes() throws {
        for expected in vectors.events {
            let bytes = try #require(Hex.decode(expected.canonicalBytes))
            let label = Array("imprimatur-event-v1".utf8)
            #expect(Hex.encode(Array(SHA256.hash(data: label + bytes))) == expected.hash)
            #expect(Hex.encode(Array(SHA256.hash(data: [0x00] + bytes))) == expected.merkleLeafHash)
        }
        #expect(Event.hashLabel == "imprimatur-event-v1")
    }

    @Test func theMerkleRootOfTheExample() {
        let tree = MerkleTree(leafHashes: [EventFixtures.exampleFirst.merkleLeafHash, EventFixtures.exampleSecond.merkleLeafHash])
        #expect(tree.root.hex == vectors.merkleRoot)
    }

    @Test func everyFieldIsCoveredByTheHash() throws {
        let base = EventFixtures.exampleSecond
        let variants = [
            try Event(deviceID: EventFixtures.otherDevice, sequence: 2, previousHash: base.previousHash, time: base.time, body: base.body),
            try Event(deviceID: base.deviceID, sequence: 3, previousHash: base.previousHash, time: base.time, body: base.body),
            try Event(deviceID: base.deviceID, sequence: 2, previousHash: EventFixtures.blob, time: base.time, body: base.body),
            try Event(deviceID: base.deviceID, sequence: 2, previousHash: base.previousHash, time: base.time.adding(milliseconds: 1), body: base.body),
            try Event(deviceID: base.deviceID, sequence: 2, previousHash: base.previousHash, time: base.time, body: EventFixtures.fault),
        ]
        let hashes = Set(variants.map(\.hash) + [base.hash])
        #expect(hashes.count == variants.count + 1)
    }

    @Test func followingContinuesTheChain() throws {
        let first = EventFixtures.exampleFirst
        let next = try Event(following: first, time: first.time, body: EventFixtures.fault)
        #expect(next.sequence == 2)
        #expect(next.previousHash == first.hash)
        #expect(next.deviceID == first.deviceID)
    }
}
