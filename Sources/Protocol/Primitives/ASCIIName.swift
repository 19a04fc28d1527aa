/// The rule shared by the protocol's short ASCII names (identifiers, media types, card numbers,
/// PINs): `string<u8>` of 1 to `limit` bytes, each from one alphabet. Written once, so every
/// such field is checked, read and reported alike: `invalid <field>: must not be empty`,
/// `<field> too long`, `invalid <field>: byte B at position I is not <alphabet>`.
struct ASCIIName: Sendable {
    let field: String
    let limit: Int
    /// How errors name the alphabet: `one of A-Z a-z 0-9 . _ - : @`, `printable ASCII`, ...
    let alphabet: String
    let allows: @Sendable (UInt8) -> Bool

    /// Visible ASCII, 0x21-0x7E: what a card reader or keypad delivers.
    static func printable(_ field: String, limit: Int) -> ASCIIName {
        ASCIIName(field: field, limit: limit, alphabet: "printable ASCII") { (0x21...0x7e).contains($0) }
    }

    func check(_ bytes: [UInt8]) throws(WireError) {
        try FieldRules.checkBytes(bytes.count, field, limit: limit)
        for (index, byte) in bytes.enumerated() where !allows(byte) {
            throw .invalidValue(field: field, reason: "byte \(byte) at position \(index) is not \(alphabet)")
        }
    }

    func check(_ text: String) throws(WireError) { try check(Array(text.utf8)) }

    /// Reads the `string<u8>`; a length over the limit is refused before the bytes are read.
    func read(from reader: inout ByteReader) throws(WireError) -> String {
        let raw = try reader.bytes(field, .u8, limit: limit)
        try check(raw)
        // Every alphabet is ASCII, and checked ASCII is valid UTF-8.
        return String(decoding: raw, as: UTF8.self)
    }
}
