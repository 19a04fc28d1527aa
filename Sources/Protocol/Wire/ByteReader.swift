/// Reads the canonical encoding back, refusing anything non-canonical: a decoder that accepts
/// only canonical bytes guarantees that `encode(decode(b)) == b`, which signatures and hash
/// chains rely on (a signature covers exactly one byte string per value).
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
    }

    /// A reader limited to `range` of `bytes` (no copy).
    public init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        offset = range.lowerBound
        end = range.upperBound
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset == end }

    private mutating func need(_ count: Int, _ field: String) throws(WireError) {
        guard count <= remaining else {
            throw .truncated(field: field, needed: count - remaining, available: remaining)
        }
    }

    public mutating func u8(_ field: String) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16(_ field: String) throws(WireError) -> UInt16 {
        try need(2, field)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func u32(_ field: String) throws(WireError) -> UInt32 {
        try need(4, field)
        var value: UInt32 = 0
        for index in offset..<offset + 4 { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    public mutating func u64(_ field: String) throws(WireError) -> UInt64 {
        try need(8, field)
        var value: UInt64 = 0
        for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        offset += 8
        return value
    }

    public mutating func i64(_ field: String) throws(WireError) -> Int64 {
        Int64(bitPattern: try u64(field))
    }

    /// A bool is exactly 0 or 1; any other byte is refused (it would be a second encoding).
    public mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(field: field, reason: "a bool must be 0 or 1, got \(other)")
        }
    }

    /// Exactly `count` raw bytes.
    public mutating func raw(_ field: String, count: Int) throws(WireError) -> [UInt8] {
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A length prefix, checked against `limit` before anything is allocated, and against what
    /// is left of the input when each unit is at least `unitSize` bytes.
    public mutating func length(_ field: String, _ prefix: LengthPrefix, limit: Int, unitSize: Int = 1) throws(WireError) -> Int {
        let length: Int
        switch prefix {
        case .u8: length = Int(try u8(field + " length"))
        case .u16: length = Int(try u16(field + " length"))
        case .u32: length = Int(try u32(field + " length"))
        }
        guard length <= limit else { throw .tooLong(field: field, length: length, limit: limit) }
        if unitSize > 0 {
            let bytesNeeded = length.multipliedReportingOverflow(by: unitSize)
            if bytesNeeded.overflow || bytesNeeded.partialValue > remaining {
                throw .truncated(field: field, needed: bytesNeeded.overflow ? Int.max : bytesNeeded.partialValue - remaining, available: remaining)
            }
        }
        return length
    }

    /// Length-prefixed opaque bytes of at most `limit` bytes.
    public mutating func bytes(_ field: String, _ prefix: LengthPrefix, limit: Int) throws(WireError) -> [UInt8] {
        let count = try length(field, prefix, limit: limit)
        return try raw(field, count: count)
    }

    /// Length-prefixed UTF-8 text of at most `limit` bytes.
    public mutating func string(_ field: String, _ prefix: LengthPrefix, limit: Int) throws(WireError) -> String {
        let raw = try bytes(field, prefix, limit: limit)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }

    public mutating func decode<T: WireDecodable>(_ type: T.Type = T.self) throws(WireError) -> T {
        try T(from: &self)
    }

    /// A count-prefixed array of at most `limit` values, each at least `minimumElementSize` bytes.
    public mutating func array<T: WireDecodable>(_ field: String, _ prefix: LengthPrefix, limit: Int, minimumElementSize: Int = 1) throws(WireError) -> [T] {
        let count = try length(field, prefix, limit: limit, unitSize: minimumElementSize)
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try T(from: &self)) }
        return values
    }

    /// An optional value: presence byte 0 or 1, then the value when 1.
    public mutating func optional<T: WireDecodable>(_ field: String) throws(WireError) -> T? {
        try bool(field + " presence") ? try T(from: &self) : nil
    }

    /// Refuses bytes left over after a complete value.
    public func finish() throws(WireError) {
        guard isAtEnd else { throw .trailingBytes(count: remaining) }
    }
}
