/// A released split-charge part on its way to the copier (docs/protocol-uplink.md, "partOffer"):
/// the server pushes `partOffer` and then the PDF in `partChunk`s (a part's PDF may be up to
/// 32 MiB, the frame limit is 2 MiB, so it never travels in one frame); the agent prints it on
/// the copier's print port and answers `partDone`, after which the server deletes the PDF.
extension UplinkMessage {
    /// Server → agent: a released part, what to print and how large its PDF is.
    public struct PartOffer: Hashable, Sendable {
        /// `split-<job>-<part>`: the print port's job id (letters, digits, `-`, `_`, `.`, `:`; 1 to 64).
        public let partID: String
        /// 1 to 999.
        public let copies: UInt16
        public let colour: Bool
        public let paper: PaperSize
        /// What was paid: copies × the part's pages. The agent's page budget for the print.
        public let impressions: UInt32
        /// 1 byte to 32 MiB (the split upload's limit).
        public let pdfSize: UInt32
        public let pdfHash: Hash32

        public init(partID: String, copies: UInt16, colour: Bool, paper: PaperSize, impressions: UInt32, pdfSize: UInt32, pdfHash: Hash32) throws(WireError) {
            try PrintJobHeader.checkJobID(partID, field: "part id")
            guard PrintJobHeader.copiesAllowed.contains(copies) else {
                throw .invalidValue(field: "part copies", reason: "\(copies) is outside 1...999")
            }
            guard impressions > 0, impressions % UInt32(copies) == 0 else {
                throw .invalidValue(field: "impressions", reason: "\(impressions) is not a positive multiple of the \(copies) copies")
            }
            guard (1...UInt32(PrintJobHeader.pdfLengthLimit)).contains(pdfSize) else {
                throw .invalidValue(field: "pdf size", reason: "\(pdfSize) is outside 1...\(PrintJobHeader.pdfLengthLimit)")
            }
            self.partID = partID
            self.copies = copies
            self.colour = colour
            self.paper = paper
            self.impressions = impressions
            self.pdfSize = pdfSize
            self.pdfHash = pdfHash
        }
    }

    /// Server → agent: `data` is the part's PDF from `offset` on.
    public struct PartChunk: Hashable, Sendable {
        public let partID: String
        public let offset: UInt32
        /// 1 byte to 512 KiB, ending within 32 MiB.
        public let data: [UInt8]

        public init(partID: String, offset: UInt32, data: [UInt8]) throws(WireError) {
            try PrintJobHeader.checkJobID(partID, field: "part id")
            try FieldRules.checkBytes(data.count, "part data", limit: UplinkLimits.chunkSize)
            try UplinkFieldRules.checkChunk(offset: UInt64(offset), count: data.count, limit: UInt64(PrintJobHeader.pdfLengthLimit), "part chunk")
            self.partID = partID
            self.offset = offset
            self.data = data
        }
    }

    /// Agent → server: the agent is done with a part (printed, or it cannot be printed); the
    /// server may delete its PDF. Sent again for a part offered again after it was done.
    public struct PartDone: Hashable, Sendable {
        public enum Outcome: Hashable, Sendable {
            /// Tag 1: the copier ran it as job `copierJobSequence` and printed `impressions`
            /// (fewer than offered when it stopped early: the status line's `stopped`).
            case printed(copierJobSequence: UInt32, impressions: UInt32)
            /// Tag 2: nothing was printed (the copier refused it, the PDF did not match); why.
            case notPrinted(String)
        }

        public let partID: String
        /// The offer's hash: which PDF this answers for.
        public let pdfHash: Hash32
        public let outcome: Outcome

        public init(partID: String, pdfHash: Hash32, outcome: Outcome) throws(WireError) {
            try PrintJobHeader.checkJobID(partID, field: "part id")
            if case let .notPrinted(text) = outcome { try FieldRules.checkText(text, "part failure", limit: UplinkLimits.textLength) }
            self.partID = partID
            self.pdfHash = pdfHash
            self.outcome = outcome
        }
    }
}

extension UplinkMessage.PartOffer: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.string(partID, .u8)
        writer.u16(copies)
        writer.bool(colour)
        writer.encode(paper)
        writer.u32(impressions)
        writer.u32(pdfSize)
        writer.encode(pdfHash)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            partID: try reader.string("part id", .u8, limit: PrintJobHeader.jobIDLimit),
            copies: try reader.u16("part copies"),
            colour: try reader.bool("part colour"),
            paper: try reader.decode(),
            impressions: try reader.u32("impressions"),
            pdfSize: try reader.u32("pdf size"),
            pdfHash: try Hash32(from: &reader, field: "pdf hash")
        )
    }
}

extension UplinkMessage.PartChunk: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.string(partID, .u8)
        writer.u32(offset)
        writer.bytes(data, .u32)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            partID: try reader.string("part id", .u8, limit: PrintJobHeader.jobIDLimit),
            offset: try reader.u32("part offset"),
            data: try reader.bytes("part data", .u32, limit: UplinkLimits.chunkSize)
        )
    }
}

extension UplinkMessage.PartDone: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.string(partID, .u8)
        writer.encode(pdfHash)
        switch outcome {
        case let .printed(sequence, impressions):
            writer.u8(1)
            writer.u32(sequence)
            writer.u32(impressions)
        case let .notPrinted(text):
            writer.u8(2)
            writer.string(text, .u16)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let partID = try reader.string("part id", .u8, limit: PrintJobHeader.jobIDLimit)
        let hash = try Hash32(from: &reader, field: "pdf hash")
        let outcome: Outcome
        switch try reader.u8("part outcome") {
        case 1: outcome = .printed(copierJobSequence: try reader.u32("copier job sequence"), impressions: try reader.u32("printed impressions"))
        case 2: outcome = .notPrinted(try UplinkFieldRules.readText(&reader, "part failure"))
        case let tag: throw .unknownTag(field: "part outcome", tag: UInt64(tag))
        }
        try self.init(partID: partID, pdfHash: hash, outcome: outcome)
    }
}
