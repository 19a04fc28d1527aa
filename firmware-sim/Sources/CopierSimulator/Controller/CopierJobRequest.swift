import Protocol

/// A job as a person sets it up at the panel: `originals` pages laid on the glass or in the
/// feeder, `copies` sets of them.
///
/// Page counting: the job produces `originals × copies` page impressions, copy by copy
/// (collated: copy 1 pages 1...N, then copy 2, ...). Duplex changes the sheets, not the count:
/// originals 1 and 2 go on the front and back of sheet 1, and so on; an odd last original
/// leaves a blank back that is neither printed nor counted. Each impression takes one page
/// interval and spends one unit of the page budget, so a budget can run out between the two
/// sides of a sheet.
public struct CopierJobRequest: Hashable, Sendable, CustomStringConvertible {
    public let copies: UInt16
    public let originals: UInt16
    public let colour: Bool
    public let duplex: Bool
    public let paper: PaperSize

    public init(copies: UInt16, originals: UInt16, colour: Bool = false, duplex: Bool = false, paper: PaperSize = .a4) throws(CopierJobRefusal) {
        guard copies >= 1 else { throw .noCopies }
        guard originals >= 1 else { throw .noOriginals }
        self.copies = copies
        self.originals = originals
        self.colour = colour
        self.duplex = duplex
        self.paper = paper
    }

    /// Page impressions the job produces when nothing stops it (at most 65535², fits in u32).
    public var totalPages: UInt32 { UInt32(copies) * UInt32(originals) }

    /// Where impression `number` (1-based, up to `totalPages`) falls.
    public func position(ofPage number: UInt32) -> (copy: UInt16, original: UInt16, side: CopierPageSide) {
        let index = number - 1
        let copy = UInt16(index / UInt32(originals)) + 1
        let original = UInt16(index % UInt32(originals)) + 1
        let side: CopierPageSide = duplex && original % 2 == 0 ? .back : .front
        return (copy, original, side)
    }

    public var description: String {
        "\(copies) × \(originals) page(s), \(colour ? "colour" : "mono"), \(duplex ? "duplex" : "simplex"), \(paper)"
    }
}

public enum CopierPageSide: String, Hashable, Sendable, CustomStringConvertible {
    case front, back
    public var description: String { rawValue }
}

/// Why the controller does not start a job.
public enum CopierJobRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The relay is 0: no session is open.
    case locked
    /// A fault holds the copier (state 3).
    case fault(CopierFault)
    /// Another job is running; the copier does one at a time.
    case busy(sequence: UInt32)
    /// The model has no tray for this paper size.
    case paperNotSupported(PaperSize, model: CopierModel)
    case noCopies
    case noOriginals
    /// The simulator is shutting down and takes no more jobs.
    case poweringOff

    public var description: String {
        switch self {
        case .locked: return "the copier is locked"
        case let .fault(fault): return "the copier is in fault (\(fault))"
        case let .busy(sequence): return "the copier is busy with job \(sequence)"
        case let .paperNotSupported(paper, model):
            return "paper \(paper) is not supported by \(model.name) (it takes \(model.paperSizes.map(\.description).joined(separator: ", ")))"
        case .noCopies: return "a job needs at least 1 copy"
        case .noOriginals: return "a job needs at least 1 page"
        case .poweringOff: return "the copier is shutting down"
        }
    }
}

/// The job the controller is running.
public struct CopierJobProgress: Hashable, Sendable {
    public let sequence: UInt32
    public let request: CopierJobRequest
    /// Holding 4-5 when the job started; goes into the job's record.
    public let sessionTag: UInt32
    /// True when the pages come out in colour: asked for, and the model can.
    public let printsColour: Bool
    public internal(set) var colourPages: UInt32 = 0
    public internal(set) var monoPages: UInt32 = 0
    /// When the next page comes out (time since power-on).
    public internal(set) var nextPageAt: Duration

    public var pagesPrinted: UInt32 { colourPages + monoPages }
}

/// One page impression, as the scanner of a real copier would file it.
public struct CopierPage: Hashable, Sendable {
    public let sequence: UInt32
    /// 1-based over the whole job.
    public let number: UInt32
    public let of: UInt32
    public let copy: UInt16
    public let original: UInt16
    public let side: CopierPageSide
    public let colour: Bool
    public let duplex: Bool
    public let paper: PaperSize
}

/// What happened inside the controller, in order, for the simulator's I/O to act on (write
/// scans, save memory, answer the panel).
public enum CopierEvent: Hashable, Sendable {
    case pagePrinted(CopierPage)
    /// The job's record has been written to its ring slot and input 10-11 updated.
    case jobEnded(CopierJobRecord)
}
