import Testing
@testable import Protocol

/// Every fixed-size raw value goes through `FixedBytes`: one length rule with one error, and one
/// way to draw random bytes from an injected generator.
@Suite("Fixed-size byte values")
struct FixedBytesTests {
    @Test func everyFixedSizeValueRefusesAnotherLengthTheSameWay() {
        let short = [UInt8](repeating: 1, count: 3)
        #expect(throws: WireError.invalidValue(field: "hash", reason: "must be 32 bytes, got 3")) { try Hash32(bytes: short) }
        #expect(throws: WireError.invalidValue(field: "signature", reason: "must be 64 bytes, got 3")) { try Signature(bytes: short) }
        #expect(throws: WireError.invalidValue(field: "key id", reason: "must be 8 bytes, got 3")) { try KeyID(bytes: short) }
        #expect(throws: WireError.invalidValue(field: "grant id", reason: "must be 16 bytes, got 3")) { try GrantID(bytes: short) }
        #expect(throws: WireError.invalidValue(field: "nonce", reason: "must be 32 bytes, got 3")) { try UplinkMessage.AuthNonce(bytes: short) }
        #expect(throws: WireError.invalidValue(field: "nonce", reason: "must be 16 bytes, got 3")) { try SealNonce(bytes: short) }
    }

    /// Yields 0x0001020304050607, 0x08090a0b0c0d0e0f, ...: the bytes 0, 1, 2, ... in order.
    struct CountingGenerator: RandomNumberGenerator {
        var next8: UInt64 = 0
        mutating func next() -> UInt64 {
            var word: UInt64 = 0
            for _ in 0..<8 {
                word = word << 8 | next8 & 0xFF
                next8 += 1
            }
            return word
        }
    }

    @Test func randomBytesAreTheGeneratorsWordsBigEndian() {
        var generator = CountingGenerator()
        #expect(FixedBytes.random(count: 16, using: &generator) == Array(0...15))
        #expect(FixedBytes.random(count: 3, using: &generator) == [16, 17, 18])
        #expect(FixedBytes.random(count: 0, using: &generator) == [])

        var forGrant = CountingGenerator()
        var forSeal = CountingGenerator()
        var forUplink = CountingGenerator()
        #expect(GrantID.random(using: &forGrant).bytes == Array(0...15))
        #expect(SealNonce.random(using: &forSeal).bytes == Array(0...15))
        #expect(UplinkMessage.AuthNonce(using: &forUplink).bytes == Array(0...31))
    }
}
