/// Why a copy job ended (SPEC A4). The raw value is the `u8` on the wire.
public enum CopyJobEnd: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case completed = 1
    case budgetReached = 2
    case locked = 3
    case fault = 4
    case cancelled = 5
    /// The copier's watchdog ran out (the agent's heartbeats stopped) and it locked itself.
    case watchdogExpired = 6

    /// The end reason a copier job record carries (docs/modbus-map.md), as logged.
    public init(_ copierEnd: CopierJobEnd) {
        switch copierEnd {
        case .completed: self = .completed
        case .budgetExhausted: self = .budgetReached
        case .lockedByAgent: self = .locked
        case .watchdogExpired: self = .watchdogExpired
        case .fault: self = .fault
        case .cancelled: self = .cancelled
        }
    }

    public var description: String {
        switch self {
        case .completed: return "completed"
        case .budgetReached: return "budget reached"
        case .locked: return "locked"
        case .fault: return "fault"
        case .cancelled: return "cancelled"
        case .watchdogExpired: return "watchdog expired"
        }
    }
}

extension CopyJobEnd: WireEnum {
    public static let wireField = "job end"
}

/// One copy job as read from the copier's counters (SPEC A4, C1): the usage detail a bill is
/// computed from.
///
/// `pages` is the number of printed page sides the job produced (all copies together); it is
/// always `colourPages + monoPages`, so a bill can use either view and both agree.
public struct CopyJobEvent: Hashable, Sendable {
    /// The session the job ran in (see `SessionEvent.sessionID`).
    public let sessionID: UInt64
    /// The copier's own job number, as its controller reports it.
    public let copierJobSequence: UInt32
    public let userID: UserID
    public let grantID: GrantID
    public let pages: UInt32
    public let copies: UInt32
    public let colourPages: UInt32
    public let monoPages: UInt32
    public let duplex: Bool
    public let paperSize: PaperSize
    public let started: Timestamp
    public let ended: Timestamp
    public let end: CopyJobEnd

    public init(
        sessionID: UInt64, copierJobSequence: UInt32, userID: UserID, grantID: GrantID,
        pages: UInt32, copies: UInt32, colourPages: UInt32, monoPages: UInt32, duplex: Bool,
        paperSize: PaperSize, started: Timestamp, ended: Timestamp, end: CopyJobEnd
    ) throws(WireError) {
        guard UInt64(colourPages) + UInt64(monoPages) == UInt64(pages) else {
            throw .invalidValue(
                field: "pages",
                reason: "must equal colour pages + mono pages (\(colourPages) + \(monoPages)), got \(pages)"
            )
        }
        guard ended >= started else {
            throw .invalidValue(field: "ended", reason: "job ended (\(ended)) before it started (\(started))")
        }
        self.sessionID = sessionID
        self.copierJobSequence = copierJobSequence
        self.userID = userID
        self.grantID = grantID
        self.pages = pages
        self.copies = copies
        self.colourPages = colourPages
        self.monoPages = monoPages
        self.duplex = duplex
        self.paperSize = paperSize
        self.started = started
        self.ended = ended
        self.end = end
    }
}

extension CopyJobEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.u32(copierJobSequence)
        writer.encode(userID)
        writer.encode(grantID)
        writer.u32(pages)
        writer.u32(copies)
        writer.u32(colourPages)
        writer.u32(monoPages)
        writer.bool(duplex)
        writer.encode(paperSize)
        writer.encode(started)
        writer.encode(ended)
        writer.encode(end)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            sessionID: try reader.u64("session id"),
            copierJobSequence: try reader.u32("copier job sequence"),
            userID: try reader.decode(),
            grantID: try reader.decode(),
            pages: try reader.u32("pages"),
            copies: try reader.u32("copies"),
            colourPages: try reader.u32("colour pages"),
            monoPages: try reader.u32("mono pages"),
            duplex: try reader.bool("duplex"),
            paperSize: try reader.decode(),
            started: try reader.decode(),
            ended: try reader.decode(),
            end: try reader.decode()
        )
    }
}
