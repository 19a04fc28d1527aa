/// One finished job as the controller stores it in a slot of the job ring: 14 input registers,
/// 32-bit values high word first.
///
/// | offset | count | field |
/// |---|---|---|
/// | 0 | 2 | sequence (1, 2, 3, ...; 0 only in an empty slot) |
/// | 2 | 2 | session tag |
/// | 4 | 2 | pages |
/// | 6 | 2 | colour pages |
/// | 8 | 2 | mono pages |
/// | 10 | 1 | copies requested (at least 1) |
/// | 11 | 1 | duplex (0 or 1) |
/// | 12 | 1 | paper size code (`PaperSize`) |
/// | 13 | 1 | end reason (`CopierJobEnd`) |
public struct CopierJobRecord: Hashable, Sendable, CustomStringConvertible {
    public static let registerCount = 14

    /// Numbers the controller's jobs from 1; the ring slot is `sequence mod slotCount`.
    public let sequence: UInt32
    /// The session tag holding 4-5 held when the job started.
    public let sessionTag: UInt32
    /// Page impressions produced (a duplex sheet is 2); always `colourPages + monoPages`.
    public let pages: UInt32
    public let colourPages: UInt32
    public let monoPages: UInt32
    /// Copies requested at the panel; the job may have ended before producing all of them.
    public let copies: UInt16
    public let duplex: Bool
    public let paperSize: PaperSize
    public let end: CopierJobEnd

    /// Builds a record; `pages` is the sum of colour and mono pages, so the two cannot disagree.
    public init(
        sequence: UInt32, sessionTag: UInt32, colourPages: UInt32, monoPages: UInt32,
        copies: UInt16, duplex: Bool, paperSize: PaperSize, end: CopierJobEnd
    ) throws(CopierJobRecordError) {
        guard sequence != 0 else { throw .sequenceZero }
        guard copies != 0 else { throw .copiesZero }
        let sum = colourPages.addingReportingOverflow(monoPages)
        guard !sum.overflow else {
            throw .pageCountMismatch(pages: nil, colourPages: colourPages, monoPages: monoPages)
        }
        self.sequence = sequence
        self.sessionTag = sessionTag
        self.pages = sum.partialValue
        self.colourPages = colourPages
        self.monoPages = monoPages
        self.copies = copies
        self.duplex = duplex
        self.paperSize = paperSize
        self.end = end
    }

    /// The 14 registers of the record's ring slot.
    public var registers: [UInt16] {
        var out: [UInt16] = []
        out.reserveCapacity(Self.registerCount)
        out += RegisterPair.registers(sequence)
        out += RegisterPair.registers(sessionTag)
        out += RegisterPair.registers(pages)
        out += RegisterPair.registers(colourPages)
        out += RegisterPair.registers(monoPages)
        out.append(copies)
        out.append(duplex ? 1 : 0)
        out.append(UInt16(paperSize.rawValue))
        out.append(end.rawValue)
        return out
    }

    /// Reads a record back from its 14 registers, refusing anything the controller could not
    /// have written, so that `CopierJobRecord(registers: r).registers == r`.
    public init(registers: [UInt16]) throws(CopierJobRecordError) {
        guard registers.count == Self.registerCount else {
            throw .wrongRegisterCount(expected: Self.registerCount, got: registers.count)
        }
        if registers.allSatisfy({ $0 == 0 }) { throw .emptySlot }
        func pair(_ index: Int) -> UInt32 { RegisterPair.join(high: registers[index], low: registers[index + 1]) }
        let sequence = pair(0)
        let pages = pair(4)
        let colour = pair(6)
        let mono = pair(8)
        guard sequence != 0 else { throw .sequenceZero }
        guard UInt64(colour) + UInt64(mono) == UInt64(pages) else {
            throw .pageCountMismatch(pages: pages, colourPages: colour, monoPages: mono)
        }
        guard registers[10] != 0 else { throw .copiesZero }
        let duplex: Bool
        switch registers[11] {
        case 0: duplex = false
        case 1: duplex = true
        case let other: throw .invalidDuplex(other)
        }
        guard registers[12] <= UInt8.max, let paper = PaperSize(rawValue: UInt8(registers[12])) else {
            throw .unknownPaperSize(registers[12])
        }
        guard let end = CopierJobEnd(rawValue: registers[13]) else { throw .unknownEndReason(registers[13]) }
        self.sequence = sequence
        self.sessionTag = pair(2)
        self.pages = pages
        self.colourPages = colour
        self.monoPages = mono
        self.copies = registers[10]
        self.duplex = duplex
        self.paperSize = paper
        self.end = end
    }

    public var description: String {
        "job \(sequence) (session \(sessionTag)): \(pages) page(s), \(colourPages) colour, \(monoPages) mono, "
            + "\(copies) cop\(copies == 1 ? "y" : "ies"), \(duplex ? "duplex" : "simplex"), \(paperSize), \(end)"
    }
}

/// Why registers read from a job ring slot are not a job record.
public enum CopierJobRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    case wrongRegisterCount(expected: Int, got: Int)
    /// All registers are 0: the controller has not written this slot since its memory was cleared.
    case emptySlot
    /// Sequence 0 in a slot that is not all zero.
    case sequenceZero
    case copiesZero
    case invalidDuplex(UInt16)
    case unknownPaperSize(UInt16)
    case unknownEndReason(UInt16)
    /// Colour plus mono pages is not the page count (`pages` is nil when the sum overflows u32
    /// while building a record).
    case pageCountMismatch(pages: UInt32?, colourPages: UInt32, monoPages: UInt32)
    /// The slot holds a record whose sequence does not belong in it.
    case wrongSlot(sequence: UInt32, slot: Int, expectedSlot: Int)

    public var description: String {
        switch self {
        case let .wrongRegisterCount(expected, got):
            return "a job record is \(expected) registers, got \(got)"
        case .emptySlot:
            return "the job ring slot is empty (all registers 0)"
        case .sequenceZero:
            return "invalid job sequence: 0 is only allowed in an empty slot"
        case .copiesZero:
            return "invalid copies: a job requests at least 1 copy"
        case let .invalidDuplex(value):
            return "invalid duplex: must be 0 or 1, got \(value)"
        case let .unknownPaperSize(code):
            return "unknown paper size code \(code)"
        case let .unknownEndReason(code):
            return "unknown job end reason \(code)"
        case let .pageCountMismatch(pages?, colour, mono):
            return "invalid page counts: colour \(colour) + mono \(mono) != pages \(pages)"
        case let .pageCountMismatch(nil, colour, mono):
            return "invalid page counts: colour \(colour) + mono \(mono) overflows 32 bits"
        case let .wrongSlot(sequence, slot, expectedSlot):
            return "job \(sequence) found in ring slot \(slot), it belongs in slot \(expectedSlot)"
        }
    }
}
