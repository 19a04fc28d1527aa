/// An ISO 4217 currency code: exactly three upper-case ASCII letters (`EUR`, `JPY`), 3 raw bytes
/// on the wire. Whether the code is assigned is not checked: that changes over time.
public struct CurrencyCode: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 3
    public let code: String

    public init(_ code: String) throws(WireError) {
        try Self.validate(Array(code.utf8))
        self.code = code
    }

    public var description: String { code }

    private static func validate(_ bytes: [UInt8]) throws(WireError) {
        guard bytes.count == byteCount, bytes.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw .invalidValue(field: "currency code", reason: "must be three letters A-Z")
        }
    }
}

extension CurrencyCode: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(code.utf8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let bytes = try reader.raw("currency code", count: Self.byteCount)
        try Self.validate(bytes)
        code = String(decoding: bytes, as: UTF8.self)
    }
}

/// What a user's quota is counted in (SPEC B1): pages, or money in the currency's minor units
/// (cents, yen). Wire: `u8` tag 1 pages; 2 money, followed by the 3-byte currency code.
public enum QuotaUnit: Hashable, Sendable, CustomStringConvertible {
    case pages
    case money(CurrencyCode)

    public var description: String {
        switch self {
        case .pages: return "pages"
        case let .money(currency): return "\(currency) minor units"
        }
    }
}

extension QuotaUnit: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .pages:
            writer.u8(1)
        case let .money(currency):
            writer.u8(2)
            writer.encode(currency)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.u8("quota unit") {
        case 1: self = .pages
        case 2: self = .money(try reader.decode())
        case let tag: throw .unknownTag(field: "quota unit", tag: UInt64(tag))
        }
    }
}
