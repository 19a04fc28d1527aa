/// Reading helpers shared by the grant structures, so that errors name the exact field
/// (`truncated expires`, not `truncated timestamp`).
enum GrantWire {
    /// Every grant structure starts with this format version byte.
    static let formatVersion: UInt8 = 1

    static func formatVersion(_ field: String, from reader: inout ByteReader) throws(WireError) {
        let version = try reader.u8(field)
        guard version == formatVersion else { throw .unknownTag(field: field, tag: UInt64(version)) }
    }

    static func timestamp(_ field: String, from reader: inout ByteReader) throws(WireError) -> Timestamp {
        let time = Timestamp(millisecondsSinceEpoch: try reader.i64(field))
        try requireNonNegative(field, time)
        return time
    }

    /// Timestamps before 1970 have no encoding; a value built in code is held to the same rule.
    static func requireNonNegative(_ field: String, _ time: Timestamp) throws(WireError) {
        guard time.millisecondsSinceEpoch >= 0 else {
            throw .invalidValue(field: field, reason: "negative timestamp (\(time.millisecondsSinceEpoch))")
        }
    }

    static func keyID(_ field: String, from reader: inout ByteReader) throws(WireError) -> KeyID {
        try KeyID(bytes: try reader.raw(field, count: KeyID.byteCount))
    }
}
