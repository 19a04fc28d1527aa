/// An enumeration whose raw value is its code on the wire: a `u8` tag or a `u16` code, and a
/// value with no case is refused as `unknown <field> tag N`. Conforming supplies the encoding and
/// the decoding, so every code table of every part is written and refused the same way.
public protocol WireEnum: RawRepresentable, WireCodable, Sendable
where RawValue: FixedWidthInteger & UnsignedInteger {
    /// The field name decoding errors use: `paper size`, `resource type`, ...
    static var wireField: String { get }
}

extension WireEnum where RawValue == UInt8 {
    public func encode(to writer: inout ByteWriter) { writer.u8(rawValue) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let tag = try reader.u8(Self.wireField)
        guard let value = Self(rawValue: tag) else { throw .unknownTag(field: Self.wireField, tag: UInt64(tag)) }
        self = value
    }
}

extension WireEnum where RawValue == UInt16 {
    public func encode(to writer: inout ByteWriter) { writer.u16(rawValue) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let code = try reader.u16(Self.wireField)
        guard let value = Self(rawValue: code) else { throw .unknownTag(field: Self.wireField, tag: UInt64(code)) }
        self = value
    }
}
