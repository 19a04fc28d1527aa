/// The media type of a photo or scan, such as `image/jpeg`: what an uplink blob offer declares
/// and what content and photo events record for the blob they pin.
///
/// `string<u8>` of 1 to 127 bytes: `type/subtype` with exactly one `/` and text on both sides,
/// each byte one of `a-z 0-9 ! # $ & - ^ _ . +` (RFC 6838's name characters) or the `/`; no
/// parameters. Media type names are case-insensitive, so only lower case is accepted: one media
/// type has one encoding, and an event hash cannot depend on how a name was capitalised.
public struct MediaType: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 127

    public let value: String

    public init(_ value: String) throws(WireError) {
        try Self.rule.check(value)
        try Self.checkTypeAndSubtype(value)
        self.value = value
    }

    public var description: String { value }

    private static let rule = ASCIIName(
        field: "media type", limit: maximumLength, alphabet: "one of a-z 0-9 ! # $ & - ^ _ . + /"
    ) { allowed.contains($0) }

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+/".utf8)

    private static func checkTypeAndSubtype(_ value: String) throws(WireError) {
        let bytes = Array(value.utf8)
        let slashes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "/") }
        guard slashes.count == 1, let slash = slashes.first, slash > 0, slash < bytes.count - 1 else {
            throw .invalidValue(field: rule.field, reason: "must be type/subtype: one '/' with text on both sides")
        }
    }
}

extension MediaType: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.string(value, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let value = try Self.rule.read(from: &reader)
        try Self.checkTypeAndSubtype(value)
        self.value = value
    }
}
