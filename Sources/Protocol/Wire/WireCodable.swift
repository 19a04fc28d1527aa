/// A value with one canonical byte encoding.
public protocol WireEncodable {
    func encode(to writer: inout ByteWriter)
}

/// A value that can be read back from its canonical encoding, refusing anything else.
public protocol WireDecodable {
    init(from reader: inout ByteReader) throws(WireError)
}

public typealias WireCodable = WireEncodable & WireDecodable

extension WireEncodable {
    /// The canonical encoding of this value alone.
    public func wireBytes() -> [UInt8] {
        var writer = ByteWriter()
        encode(to: &writer)
        return writer.bytes
    }
}

extension WireDecodable {
    /// Decodes one value that must occupy all of `bytes`.
    public init(wireBytes bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        self = try Self(from: &reader)
        try reader.finish()
    }
}
