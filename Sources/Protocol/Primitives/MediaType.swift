/// The media type of a photo or scan, such as `image/jpeg`: what an uplink blob offer declares
/// and what content and photo events record for the blob they pin.
///
/// `string<u8>` of 1 to 127 bytes: `type/subtype` with exactly one `/` and text on both sides,
/// each byte one of `a-z 0-9 ! # $ & - ^ _ . +` (RFC 6838's name characters) or the `/`; no
/// parameters. Media type names are case-insensitive, so only lower case is accepted: one media
/// type has one encoding, and an event hash cannot depend on how a name was capitalised.
public struct MediaType: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 127
    static let field = "media type"

    public let value: String

    public init(_ value: String) throws(WireError) {
        try Self.validate(Array(value.utf8))
        self.value = value
    }

    public var description: String { value }

    static func validate(_ bytes: [UInt8]) throws(WireError) {
        guard !bytes.isEmpty else { throw .invalidValue(field: field, reason: "must not be empty") }
        guard bytes.count <= maximumLength else {
            throw .tooLong(field: field, length: bytes.count, limit: maximumLength)
        }
        let slashes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "/") }
        guard slashes.count == 1, let slash = slashes.first, slash > 0, slash < bytes.count - 1 else {
            throw .invalidValue(field: field, reason: "must be type/subtype: one '/' with text on both sides")
        }
        for (index, byte) in bytes.enumerated() where !allowed.contains(byte) {
            throw .invalidValue(field: field, reason: "byte \(byte) at position \(index) is not one of a-z 0-9 ! # $ & - ^ _ . + /")
        }
    }

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+/".utf8)
}

extension MediaType: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.string(value, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let raw = try reader.bytes(Self.field, .u8, limit: Self.maximumLength)
        try Self.validate(raw)
        // Validated ASCII is valid UTF-8.
        value = String(decoding: raw, as: UTF8.self)
    }
}
