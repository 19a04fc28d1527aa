/// One revoked grant, and the time until which the entry matters: the revoked grant's expiry.
/// After that the grant is refused as expired anyway, so the server may drop the entry.
/// Wire (24 bytes): grant id (16), relevant until (timestamp).
public struct RevocationEntry: Hashable, Sendable {
    public static let byteCount = GrantID.byteCount + 8
    public let grantID: GrantID
    public let relevantUntil: Timestamp

    public init(grantID: GrantID, relevantUntil: Timestamp) throws(WireError) {
        try relevantUntil.requireEncodable(as: "relevant until")
        self.grantID = grantID
        self.relevantUntil = relevantUntil
    }
}

extension RevocationEntry: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(grantID)
        writer.encode(relevantUntil)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        grantID = try reader.decode()
        relevantUntil = try Timestamp(from: &reader, field: "relevant until")
    }
}

/// The grants (access or limit) the server has revoked (SPEC E7), as a signed, versioned list
/// pushed at sync. Each list replaces the previous one whole; `version` only ever goes up.
/// Layout: docs/grants.md, "Revocation list".
public struct RevocationList: Hashable, Sendable {
    public static let signatureLabel = "imprimatur-revocations-v1"
    /// Grants are short-lived and entries are pruned at expiry, so a list stays far below this.
    public static let maximumEntries = 16_384
    public static let maximumByteCount = 1 + 8 + 8 + KeyID.byteCount + 4 + maximumEntries * RevocationEntry.byteCount

    public let version: UInt64
    public let issuedAt: Timestamp
    public let keyID: KeyID
    /// Sorted by grant id (byte order), each id once, so lookups are a binary search.
    public let entries: [RevocationEntry]

    /// Sorts `entries` by grant id; refuses a grant id listed twice or more than `maximumEntries`.
    public init(version: UInt64, issuedAt: Timestamp, keyID: KeyID, entries: [RevocationEntry]) throws(WireError) {
        try issuedAt.requireEncodable(as: "issued at")
        guard entries.count <= Self.maximumEntries else {
            throw .tooLong(field: "revoked grants", length: entries.count, limit: Self.maximumEntries)
        }
        let sorted = entries.sorted { $0.grantID < $1.grantID }
        try Self.requireStrictOrder(sorted)
        self.version = version
        self.issuedAt = issuedAt
        self.keyID = keyID
        self.entries = sorted
    }

    /// True when `grantID` is on the list.
    public func contains(_ grantID: GrantID) -> Bool {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = low + (high - low) / 2
            let candidate = entries[middle].grantID
            if candidate == grantID { return true }
            if candidate < grantID { low = middle + 1 } else { high = middle }
        }
        return false
    }

    private static func requireStrictOrder(_ entries: [RevocationEntry]) throws(WireError) {
        for (previous, next) in zip(entries, entries.dropFirst()) where !(previous.grantID < next.grantID) {
            if previous.grantID == next.grantID {
                throw .invalidValue(field: "revoked grants", reason: "grant \(next.grantID) is listed twice")
            }
            throw .invalidValue(field: "revoked grants", reason: "not in ascending grant id order at \(next.grantID)")
        }
    }
}

extension RevocationList: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u8(GrantWire.formatVersion)
        writer.u64(version)
        writer.encode(issuedAt)
        writer.encode(keyID)
        writer.array(entries, .u32)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try GrantWire.formatVersion("revocation list format version", from: &reader)
        version = try reader.u64("revocation list version")
        issuedAt = try Timestamp(from: &reader, field: "issued at")
        keyID = try reader.decode()
        entries = try reader.array(
            "revoked grants", .u32, limit: Self.maximumEntries, minimumElementSize: RevocationEntry.byteCount
        )
        try Self.requireStrictOrder(entries)
    }
}

extension RevocationList: SignedTokenContent {
    public static var tokenField: String { "revocation list" }
    public static var lengthPrefix: LengthPrefix { .u32 }
    public static var maximumContentLength: Int { maximumByteCount }
}

/// A revocation list as the agent receives it.
public typealias SignedRevocationList = SignedToken<RevocationList>

extension SignedToken where Content == RevocationList {
    public var revocationList: RevocationList { content }
}
