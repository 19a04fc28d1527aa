/// The format version byte every grant structure (grant claims, limit grant, revocation list)
/// starts with.
enum GrantWire {
    static let formatVersion: UInt8 = 1

    static func formatVersion(_ field: String, from reader: inout ByteReader) throws(WireError) {
        let version = try reader.u8(field)
        guard version == formatVersion else { throw .unknownTag(field: field, tag: UInt64(version)) }
    }
}
