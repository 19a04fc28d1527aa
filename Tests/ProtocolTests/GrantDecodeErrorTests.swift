import Testing
@testable import Protocol

/// Every way a grant, limit grant or revocation list can be malformed is refused with an error
/// that names the field.
@Suite("Grant decode errors")
struct GrantDecodeErrorTests {
    typealias F = GrantFixtures

    // Offsets into F.copierClaims() (91 bytes); docs/grants.md has the same layout.
    static let resourceTypeOffset = 52
    static let pagesOffset = 53
    static let colourOffset = 61
    static let sealUsesOffset = 62
    static let applicationPresenceOffset = 66
    static let expiresOffset = 83

    func copierClaimBytes() throws -> [UInt8] { try F.copierClaims().wireBytes() }

    /// A token around `claims` bytes that need not decode (the signature is never reached).
    func token(around claims: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(claims, .u16)
        writer.raw([UInt8](repeating: 0, count: 64))
        return writer.bytes
    }

    func patched(_ bytes: [UInt8], at offset: Int, _ replacement: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<offset + replacement.count, with: replacement)
        return copy
    }

    // MARK: truncation and trailing bytes

    @Test func everyStrictPrefixOfATokenIsRefused() throws {
        let token = F.token(try F.copierClaims())
        for length in 0..<token.count {
            #expect(throws: WireError.self) { try SignedGrant(wireBytes: Array(token.prefix(length))) }
        }
    }

    @Test func truncationNamesTheField() throws {
        let token = F.token(try F.copierClaims())
        #expect(throws: WireError.truncated(field: "grant claims length", needed: 2, available: 0)) {
            try SignedGrant(wireBytes: [])
        }
        #expect(throws: WireError.truncated(field: "grant claims", needed: 91, available: 0)) {
            try SignedGrant(wireBytes: Array(token.prefix(2)))
        }
        #expect(throws: WireError.truncated(field: "signature", needed: 54, available: 10)) {
            try SignedGrant(wireBytes: Array(token.prefix(2 + 91 + 10)))
        }
        #expect(throws: WireError.truncated(field: "expires", needed: 1, available: 7)) {
            try GrantClaims(wireBytes: Array(try copierClaimBytes().prefix(90)))
        }
    }

    @Test func trailingBytesAreRefused() throws {
        #expect(throws: WireError.trailingBytes(count: 1)) { try SignedGrant(wireBytes: F.token(try F.copierClaims()) + [0]) }
        #expect(throws: WireError.trailingBytes(count: 2)) { try GrantClaims(wireBytes: try copierClaimBytes() + [0, 0]) }
    }

    @Test func claimsShorterThanTheirLengthPrefixAreRefused() throws {
        #expect(throws: WireError.invalidValue(field: "grant claims", reason: "1 byte(s) after the end of the content")) {
            try SignedGrant(wireBytes: token(around: try copierClaimBytes() + [0xaa]))
        }
    }

    // MARK: unknown tags

    @Test func unknownTagsAreRefused() throws {
        let claims = try copierClaimBytes()
        #expect(throws: WireError.unknownTag(field: "grant format version", tag: 2)) {
            try GrantClaims(wireBytes: patched(claims, at: 0, [2]))
        }
        #expect(throws: WireError.unknownTag(field: "resource type", tag: 3)) {
            try GrantClaims(wireBytes: patched(claims, at: Self.resourceTypeOffset, [3]))
        }
        #expect(throws: WireError.unknownTag(field: "resource type", tag: 0)) {
            try SignedGrant(wireBytes: token(around: patched(claims, at: Self.resourceTypeOffset, [0])))
        }
    }

    // MARK: bad field values

    @Test func badClaimValuesAreRefused() throws {
        let claims = try copierClaimBytes()
        #expect(throws: WireError.invalidValue(field: "colour allowed", reason: "a bool must be 0 or 1, got 2")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.colourOffset, [2]))
        }
        #expect(throws: WireError.invalidValue(field: "application id presence", reason: "a bool must be 0 or 1, got 7")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.applicationPresenceOffset, [7]))
        }
        #expect(throws: WireError.invalidValue(field: "expires", reason: "negative timestamp (-1)")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.expiresOffset, [UInt8](repeating: 0xff, count: 8)))
        }
        let notBefore = Array(claims[75..<83])
        #expect(throws: WireError.invalidValue(field: "expires", reason: "must be after not before (1700000000000ms), got 1700000000000ms")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.expiresOffset, notBefore))
        }
        #expect(throws: WireError.invalidValue(field: "allowance", reason: "a copier grant must not allow seal uses")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.sealUsesOffset, [0, 0, 0, 1]))
        }
        #expect(throws: WireError.invalidValue(field: "allowance", reason: "a copier grant must allow at least one page")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.pagesOffset, [0, 0, 0, 0]))
        }
        #expect(throws: WireError.invalidValue(field: "device id", reason: "byte 32 at position 5 is not one of A-Z a-z 0-9 . _ - : @")) {
            try GrantClaims(wireBytes: patched(claims, at: 26 + 5, [UInt8(ascii: " ")]))
        }
        #expect(throws: WireError.invalidValue(field: "allowance", reason: "a seal grant must allow at least one use")) {
            try GrantClaims(wireBytes: patched(claims, at: Self.resourceTypeOffset, [2]))
        }
    }

    // MARK: over-long fields

    @Test func overLongFieldsAreRefusedBeforeReading() throws {
        // Only the length prefix is present: the limit is checked before the bytes are wanted.
        #expect(throws: WireError.tooLong(field: "grant claims", length: 513, limit: 512)) {
            try SignedGrant(wireBytes: [0x02, 0x01])
        }
        #expect(throws: WireError.tooLong(field: "limit grant", length: 65535, limit: 512)) {
            try SignedLimitGrant(wireBytes: [0xff, 0xff])
        }
        #expect(throws: WireError.tooLong(field: "revocation list", length: 0xffff_ffff, limit: RevocationList.maximumByteCount)) {
            try SignedRevocationList(wireBytes: [0xff, 0xff, 0xff, 0xff])
        }
        let claims = try copierClaimBytes()
        #expect(throws: WireError.tooLong(field: "device id", length: 65, limit: 64)) {
            try GrantClaims(wireBytes: patched(claims, at: 25, [65]))
        }
    }

    // MARK: limit grants

    // Offsets into F.limitGrant() (103 bytes): unit tag 56, currency 57, price count 68,
    // entries at 69/75/81 (paper, colour, price u32).
    func limitBytes() throws -> [UInt8] { try F.limitGrant().wireBytes() }

    @Test func limitGrantHasTheExpectedLength() throws {
        #expect(try limitBytes().count == 103)
    }

    @Test func badLimitGrantsAreRefused() throws {
        let bytes = try limitBytes()
        #expect(throws: WireError.unknownTag(field: "limit grant format version", tag: 0)) {
            try LimitGrant(wireBytes: patched(bytes, at: 0, [0]))
        }
        #expect(throws: WireError.unknownTag(field: "quota unit", tag: 3)) {
            try LimitGrant(wireBytes: patched(bytes, at: 56, [3]))
        }
        #expect(throws: WireError.invalidValue(field: "currency code", reason: "must be three letters A-Z")) {
            try LimitGrant(wireBytes: patched(bytes, at: 57, Array("eur".utf8)))
        }
        #expect(throws: WireError.tooLong(field: "price table", length: 13, limit: 12)) {
            try LimitGrant(wireBytes: patched(bytes, at: 68, [13]))
        }
        #expect(throws: WireError.unknownTag(field: "paper size", tag: 7)) {
            try LimitGrant(wireBytes: patched(bytes, at: 69, [7]))
        }
        #expect(throws: WireError.invalidValue(field: "price colour", reason: "a bool must be 0 or 1, got 2")) {
            try LimitGrant(wireBytes: patched(bytes, at: 70, [2]))
        }
        #expect(throws: WireError.invalidValue(field: "price per page", reason: "must be at least 1 minor unit (A4 mono)")) {
            try LimitGrant(wireBytes: patched(bytes, at: 71, [0, 0, 0, 0]))
        }
        #expect(throws: WireError.invalidValue(field: "price table", reason: "two prices for A4 mono")) {
            try LimitGrant(wireBytes: patched(bytes, at: 75, [1, 0]))
        }
        #expect(throws: WireError.invalidValue(field: "price table", reason: "entries out of order (paper size, then mono before colour)")) {
            try LimitGrant(wireBytes: patched(bytes, at: 75, [3]))
        }
        #expect(throws: WireError.invalidValue(field: "price table", reason: "a money quota needs at least one price")) {
            try LimitGrant(wireBytes: Array(bytes[0..<68]) + [0] + Array(bytes[87...]))
        }
        #expect(throws: WireError.truncated(field: "price table", needed: 2, available: 34)) {
            try LimitGrant(wireBytes: patched(bytes, at: 68, [6]))
        }
    }

    // MARK: revocation lists

    func revocationBytes() throws -> (bytes: [UInt8], low: GrantID, high: GrantID) {
        let low = GrantID(high: 1, low: 0)
        let high = GrantID(high: 2, low: 0)
        return (try F.revocationList(version: 3, revoking: [high, low]).wireBytes(), low, high)
    }

    @Test func badRevocationListsAreRefused() throws {
        let (bytes, low, _) = try revocationBytes()
        #expect(bytes.count == 29 + 48)
        let first = Array(bytes[29..<53])
        let second = Array(bytes[53..<77])
        #expect(throws: WireError.invalidValue(field: "revoked grants", reason: "not in ascending grant id order at \(low)")) {
            try RevocationList(wireBytes: Array(bytes[0..<29]) + second + first)
        }
        #expect(throws: WireError.invalidValue(field: "revoked grants", reason: "grant \(low) is listed twice")) {
            try RevocationList(wireBytes: Array(bytes[0..<29]) + first + first)
        }
        #expect(throws: WireError.tooLong(field: "revoked grants", length: 16_385, limit: 16_384)) {
            try RevocationList(wireBytes: patched(bytes, at: 25, [0, 0, 0x40, 0x01]))
        }
        #expect(throws: WireError.truncated(field: "revoked grants", needed: 24, available: 48)) {
            try RevocationList(wireBytes: patched(bytes, at: 25, [0, 0, 0, 3]))
        }
        #expect(throws: WireError.unknownTag(field: "revocation list format version", tag: 9)) {
            try RevocationList(wireBytes: patched(bytes, at: 0, [9]))
        }
        #expect(throws: WireError.invalidValue(field: "relevant until", reason: "negative timestamp (-256)")) {
            try RevocationList(wireBytes: patched(bytes, at: 29 + 16, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]))
        }
    }
}
