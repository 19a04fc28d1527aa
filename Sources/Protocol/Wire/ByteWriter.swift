/// The width of a length or count prefix. Every variable-length field in the protocol states
/// which one it uses (docs/protocol.md, "Conventions").
public enum LengthPrefix: Sendable {
    case u8, u16, u32

    /// The largest length the prefix can carry.
    public var maximum: Int {
        switch self {
        case .u8: return Int(UInt8.max)
        case .u16: return Int(UInt16.max)
        case .u32: return Int(UInt32.max)
        }
    }

    /// Bytes the prefix itself occupies.
    public var width: Int {
        switch self {
        case .u8: return 1
        case .u16: return 2
        case .u32: return 4
        }
    }
}

/// Appends the canonical big-endian encoding of protocol values to a byte array.
/// Encoding never fails: values are validated when they are constructed, so a length that does
/// not fit its prefix is a programming error and traps.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    public mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Raw bytes with no prefix (fixed-size fields: keys, hashes, signatures, ids).
    public mutating func raw<C: Collection>(_ value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
    }

    /// A length prefix of the given width. Traps if `length` does not fit: callers validate first.
    public mutating func length(_ length: Int, _ prefix: LengthPrefix) {
        precondition(length >= 0 && length <= prefix.maximum, "length \(length) does not fit \(prefix)")
        switch prefix {
        case .u8: u8(UInt8(length))
        case .u16: u16(UInt16(length))
        case .u32: u32(UInt32(length))
        }
    }

    /// Length-prefixed opaque bytes.
    public mutating func bytes<C: Collection>(_ value: C, _ prefix: LengthPrefix) where C.Element == UInt8 {
        length(value.count, prefix)
        bytes.append(contentsOf: value)
    }

    /// Length-prefixed UTF-8 text.
    public mutating func string(_ value: String, _ prefix: LengthPrefix) {
        bytes(Array(value.utf8), prefix)
    }

    /// A value that knows its own encoding.
    public mutating func encode<T: WireEncodable>(_ value: T) { value.encode(to: &self) }

    /// A count-prefixed array of values.
    public mutating func array<T: WireEncodable>(_ values: [T], _ prefix: LengthPrefix) {
        length(values.count, prefix)
        for value in values { value.encode(to: &self) }
    }

    /// An optional value: one presence byte (0 absent, 1 present) then the value.
    public mutating func optional<T: WireEncodable>(_ value: T?) {
        if let value {
            u8(1)
            value.encode(to: &self)
        } else {
            u8(0)
        }
    }

    /// Overwrites 4 bytes at `offset` with a big-endian u32 (used to back-fill a length).
    public mutating func patchU32(_ value: UInt32, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
