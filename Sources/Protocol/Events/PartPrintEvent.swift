/// A released split-charge part printed on the copier's print port (docs/print-port.md): the
/// copier's job record, logged as a copy job's is, but under its own kind because it is **not**
/// a person's use. Its payers were charged when the part was released (docs/split-charges.md,
/// D3), so the server stores it without charging anyone; `partID` ties it to that charge.
public struct PartPrintEvent: Hashable, Sendable {
    /// The session tag the agent unlocked the copier with for this print.
    public let sessionID: UInt64
    public let copierJobSequence: UInt32
    /// `split-<job>-<part>`, as in the uplink's `partOffer` and the print port's header.
    public let partID: String
    /// SHA-256 of the PDF that was printed.
    public let pdfHash: Hash32
    /// Printed page sides, all copies together; colour pages + mono pages.
    public let pages: UInt32
    public let copies: UInt32
    public let colourPages: UInt32
    public let monoPages: UInt32
    public let paperSize: PaperSize
    public let started: Timestamp
    public let ended: Timestamp
    public let end: CopyJobEnd

    public init(
        sessionID: UInt64, copierJobSequence: UInt32, partID: String, pdfHash: Hash32, pages: UInt32, copies: UInt32,
        colourPages: UInt32, monoPages: UInt32, paperSize: PaperSize, started: Timestamp, ended: Timestamp, end: CopyJobEnd
    ) throws(WireError) {
        try PrintJobHeader.checkJobID(partID, field: "part id")
        guard UInt64(colourPages) + UInt64(monoPages) == UInt64(pages) else {
            throw .invalidValue(field: "pages", reason: "must equal colour pages + mono pages (\(colourPages) + \(monoPages)), got \(pages)")
        }
        guard ended >= started else {
            throw .invalidValue(field: "ended", reason: "job ended (\(ended)) before it started (\(started))")
        }
        self.sessionID = sessionID
        self.copierJobSequence = copierJobSequence
        self.partID = partID
        self.pdfHash = pdfHash
        self.pages = pages
        self.copies = copies
        self.colourPages = colourPages
        self.monoPages = monoPages
        self.paperSize = paperSize
        self.started = started
        self.ended = ended
        self.end = end
    }
}

extension PartPrintEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.u32(copierJobSequence)
        writer.string(partID, .u8)
        writer.encode(pdfHash)
        writer.u32(pages)
        writer.u32(copies)
        writer.u32(colourPages)
        writer.u32(monoPages)
        writer.encode(paperSize)
        writer.encode(started)
        writer.encode(ended)
        writer.encode(end)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            sessionID: try reader.u64("session id"),
            copierJobSequence: try reader.u32("copier job sequence"),
            partID: try reader.string("part id", .u8, limit: PrintJobHeader.jobIDLimit),
            pdfHash: try Hash32(from: &reader, field: "pdf hash"),
            pages: try reader.u32("pages"),
            copies: try reader.u32("copies"),
            colourPages: try reader.u32("colour pages"),
            monoPages: try reader.u32("mono pages"),
            paperSize: try reader.decode(),
            started: try reader.decode(),
            ended: try reader.decode(),
            end: try reader.decode()
        )
    }
}
