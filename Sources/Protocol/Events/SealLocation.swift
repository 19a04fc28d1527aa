/// A point on the Earth in whole micro-degrees (WGS 84): 1e-6 degree is about 11 cm, finer
/// than any box's position needs, and integers keep the encoding exact.
public struct GeoCoordinate: Hashable, Sendable {
    public static let latitudeRange: ClosedRange<Int32> = -90_000_000...90_000_000
    public static let longitudeRange: ClosedRange<Int32> = -180_000_000...180_000_000

    public let latitudeMicrodegrees: Int32
    public let longitudeMicrodegrees: Int32

    public init(latitudeMicrodegrees: Int32, longitudeMicrodegrees: Int32) throws(WireError) {
        guard Self.latitudeRange.contains(latitudeMicrodegrees) else {
            throw .invalidValue(field: "latitude", reason: "\(latitudeMicrodegrees) is outside -90000000...90000000")
        }
        guard Self.longitudeRange.contains(longitudeMicrodegrees) else {
            throw .invalidValue(field: "longitude", reason: "\(longitudeMicrodegrees) is outside -180000000...180000000")
        }
        self.latitudeMicrodegrees = latitudeMicrodegrees
        self.longitudeMicrodegrees = longitudeMicrodegrees
    }
}

/// Each coordinate is a two's-complement `i32`: its bit pattern as a `u32`.
extension GeoCoordinate: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(UInt32(bitPattern: latitudeMicrodegrees))
        writer.u32(UInt32(bitPattern: longitudeMicrodegrees))
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            latitudeMicrodegrees: Int32(bitPattern: try reader.u32("latitude")),
            longitudeMicrodegrees: Int32(bitPattern: try reader.u32("longitude"))
        )
    }
}

/// Where the box was when the seal was used (SPEC E4): the place name configured for the box,
/// plus its coordinates when it knows them.
public struct SealLocation: Sendable {
    public static let placeNameLimit = 128

    /// UTF-8, 1 to 128 bytes, for example `Head office 3F, legal department`.
    public let placeName: String
    public let coordinate: GeoCoordinate?

    public init(placeName: String, coordinate: GeoCoordinate? = nil) throws(WireError) {
        try FieldRules.checkText(placeName, "place name", minimum: 1, limit: Self.placeNameLimit)
        self.placeName = placeName
        self.coordinate = coordinate
    }
}

// Compared by their bytes, not by Swift's Unicode-equivalence `==` on String: two names that
// look equal but are spelled with different code points hash differently in the chain, so they
// must not compare equal either.
extension SealLocation: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.placeName.utf8.elementsEqual(rhs.placeName.utf8) && lhs.coordinate == rhs.coordinate
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(placeName.utf8))
        hasher.combine(coordinate)
    }
}

extension SealLocation: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.string(placeName, .u8)
        writer.optional(coordinate)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            placeName: try FieldRules.readText(&reader, "place name", .u8, minimum: 1, limit: Self.placeNameLimit),
            coordinate: try reader.optional("coordinate")
        )
    }
}
