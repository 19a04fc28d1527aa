/// The header in front of a print job on the copier's print port (docs/print-port.md): a raw
/// TCP socket like port 9100, one job per connection. Layout, big-endian:
///
/// ```
/// magic "IMPJ" (4) | version u8 = 1 | job id length u8 (1...64) | job id (ASCII)
/// | copies u16 (1...999) | colour u8 (0|1) | paper size u8 (PaperSize) | PDF length u32 (1...32 MiB)
/// ```
///
/// followed by exactly `pdfLength` bytes of PDF. The codec is pure: the print port reads the
/// fixed prefix, asks `remainingLength(afterPrefix:)` how much header follows, then decodes the
/// whole header; every bad header is refused with a `WireError` naming the field.
public struct PrintJobHeader: Hashable, Sendable, CustomStringConvertible {
    public static let magic: [UInt8] = Array("IMPJ".utf8)
    public static let version: UInt8 = 1
    /// Magic, version and the job id's length byte.
    public static let prefixLength = 6
    public static let jobIDLimit = 64
    public static let copiesAllowed: ClosedRange<UInt16> = 1...999
    /// The same limit as a split job's upload (docs/split-charges.md).
    public static let pdfLengthLimit = 32 << 20

    /// The sender's name for the job (a released split part: `split-<job>-<part>`); letters,
    /// digits, `-`, `_`, `.`, `:`.
    public let jobID: String
    public let copies: UInt16
    public let colour: Bool
    public let paper: PaperSize
    public let pdfLength: Int

    public init(jobID: String, copies: UInt16, colour: Bool, paper: PaperSize, pdfLength: Int) throws(WireError) {
        try Self.checkJobID(jobID)
        guard Self.copiesAllowed.contains(copies) else {
            throw .invalidValue(field: "copies", reason: "\(copies) is outside \(Self.copiesAllowed.lowerBound)...\(Self.copiesAllowed.upperBound)")
        }
        guard (1...Self.pdfLengthLimit).contains(pdfLength) else {
            throw .invalidValue(field: "pdf length", reason: "\(pdfLength) is outside 1...\(Self.pdfLengthLimit)")
        }
        self.jobID = jobID
        self.copies = copies
        self.colour = colour
        self.paper = paper
        self.pdfLength = pdfLength
    }

    /// The header's bytes (without the PDF).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.prefixLength + jobID.utf8.count + 8)
        writer.raw(Self.magic)
        writer.u8(Self.version)
        writer.string(jobID, .u8)
        writer.u16(copies)
        writer.bool(colour)
        writer.u8(paper.rawValue)
        writer.u32(UInt32(pdfLength))
        return writer.bytes
    }

    /// How many header bytes follow the `prefixLength` bytes of `prefix`, after checking its
    /// magic, version and job id length.
    public static func remainingLength(afterPrefix prefix: [UInt8]) throws(WireError) -> Int {
        var reader = ByteReader(prefix)
        let idLength = try readPrefix(&reader)
        try reader.finish()
        return idLength + 2 + 1 + 1 + 4
    }

    /// Decodes a complete header (prefix and rest), nothing more and nothing less.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        let idLength = try Self.readPrefix(&reader)
        let idBytes = try reader.raw("job id", count: idLength)
        guard let jobID = String(validating: idBytes, as: UTF8.self) else { throw .invalidUTF8(field: "job id") }
        let copies = try reader.u16("copies")
        let colour = try reader.bool("colour")
        let paperCode = try reader.u8("paper size")
        guard let paper = PaperSize(rawValue: paperCode) else { throw .unknownTag(field: "paper size", tag: UInt64(paperCode)) }
        let pdfLength = try reader.u32("pdf length")
        try reader.finish()
        try self.init(jobID: jobID, copies: copies, colour: colour, paper: paper, pdfLength: Int(pdfLength))
    }

    private static func readPrefix(_ reader: inout ByteReader) throws(WireError) -> Int {
        let magic = try reader.raw("magic", count: 4)
        guard magic == Self.magic else {
            throw .invalidValue(field: "magic", reason: "expected \"IMPJ\", got \(Hex.encode(magic))")
        }
        let version = try reader.u8("version")
        guard version == Self.version else {
            throw .invalidValue(field: "version", reason: "version \(version) is not supported (this copier speaks \(Self.version))")
        }
        let idLength = Int(try reader.u8("job id length"))
        guard (1...jobIDLimit).contains(idLength) else {
            throw .invalidValue(field: "job id length", reason: "\(idLength) is outside 1...\(jobIDLimit)")
        }
        return idLength
    }

    /// Also the rule for a released part's id on the uplink (`PartOffer`), which becomes this header's job id.
    static func checkJobID(_ id: String, field: String = "job id") throws(WireError) {
        guard (1...jobIDLimit).contains(id.utf8.count) else {
            throw .invalidValue(field: field, reason: "length \(id.utf8.count) is outside 1...\(jobIDLimit)")
        }
        let allowed = id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        guard allowed else { throw .invalidValue(field: field, reason: "\"\(id)\" has a character other than letters, digits, - _ . :") }
    }

    public var description: String {
        "\(jobID): \(copies) cop\(copies == 1 ? "y" : "ies"), \(colour ? "colour" : "mono"), \(paper), \(pdfLength) bytes of PDF"
    }
}
