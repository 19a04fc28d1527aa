/// The price of one printed page of one paper size in colour or mono, in minor currency units.
/// Wire (6 bytes): paper size u8, colour bool, price per page u32.
public struct PagePrice: Hashable, Sendable {
    public let paperSize: PaperSize
    public let colour: Bool
    /// At least 1: a free page would make a money quota unlimited.
    public let pricePerPage: UInt32

    public static let byteCount = 6

    public init(paperSize: PaperSize, colour: Bool, pricePerPage: UInt32) throws(WireError) {
        guard pricePerPage > 0 else {
            throw .invalidValue(field: "price per page", reason: "must be at least 1 minor unit (\(paperSize) \(colour ? "colour" : "mono"))")
        }
        self.paperSize = paperSize
        self.colour = colour
        self.pricePerPage = pricePerPage
    }

    /// The canonical order of entries: by paper size code, mono before colour.
    var sortKey: UInt16 { UInt16(paperSize.rawValue) << 1 | (colour ? 1 : 0) }
}

extension PagePrice: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(paperSize)
        writer.bool(colour)
        writer.u32(pricePerPage)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            paperSize: try reader.decode(),
            colour: try reader.bool("price colour"),
            pricePerPage: try reader.u32("price per page")
        )
    }
}

/// The prices a limit grant carries so that the agent can turn money into pages offline.
/// At most one price per paper size and colour; a combination without a price cannot be
/// printed against a money quota.
///
/// Wire: `PagePrice[u8]`, at most 12 entries, strictly ordered by (paper size code, colour)
/// with mono (0) before colour (1); any other order or a repeat is refused.
public struct PriceTable: Hashable, Sendable {
    public static let maximumEntries = PaperSize.allCases.count * 2

    /// Entries in canonical order.
    public let entries: [PagePrice]

    public static let empty = PriceTable(sorted: [])

    /// Sorts `entries` into canonical order; refuses a repeated paper size and colour.
    public init(_ entries: [PagePrice]) throws(WireError) {
        let sorted = entries.sorted { $0.sortKey < $1.sortKey }
        try Self.requireStrictOrder(sorted)
        self.entries = sorted
    }

    private init(sorted: [PagePrice]) { entries = sorted }

    public var isEmpty: Bool { entries.isEmpty }

    /// The price of one page, or nil when the table has none for that paper and colour.
    public func price(paperSize: PaperSize, colour: Bool) -> UInt32? {
        entries.first { $0.paperSize == paperSize && $0.colour == colour }?.pricePerPage
    }

    private static func requireStrictOrder(_ entries: [PagePrice]) throws(WireError) {
        for (previous, next) in zip(entries, entries.dropFirst()) where previous.sortKey >= next.sortKey {
            if previous.sortKey == next.sortKey {
                throw .invalidValue(field: "price table", reason: "two prices for \(next.paperSize) \(next.colour ? "colour" : "mono")")
            }
            throw .invalidValue(field: "price table", reason: "entries out of order (paper size, then mono before colour)")
        }
    }
}

extension PriceTable: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.array(entries, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let entries: [PagePrice] = try reader.array(
            "price table", .u8, limit: Self.maximumEntries, minimumElementSize: PagePrice.byteCount
        )
        try Self.requireStrictOrder(entries)
        self.entries = entries
    }
}
