/// Input register 8: what the copier is doing.
public enum CopierState: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Relay off: the panel refuses jobs.
    case locked = 0
    /// Relay on, no job running.
    case ready = 1
    /// Relay on, a job is producing pages.
    case copying = 2
    /// A fault (input 9) holds the copier locked until it is cleared at the copier.
    case fault = 3

    public var description: String {
        switch self {
        case .locked: return "locked"
        case .ready: return "ready"
        case .copying: return "copying"
        case .fault: return "fault"
        }
    }
}

/// Input register 9: why the copier is in `CopierState.fault` (0 when it is not).
public enum CopierFault: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case none = 0
    case paperJam = 1
    case outOfPaper = 2
    case tonerEmpty = 3
    case doorOpen = 4
    case internalError = 5

    public var description: String {
        switch self {
        case .none: return "none"
        case .paperJam: return "paper jam"
        case .outOfPaper: return "out of paper"
        case .tonerEmpty: return "toner empty"
        case .doorOpen: return "door open"
        case .internalError: return "internal error"
        }
    }
}

/// Why a job ended: the last register of a job record.
public enum CopierJobEnd: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Every requested page was produced.
    case completed = 0
    /// The page budget reached 0.
    case budgetExhausted = 1
    /// The agent wrote 0 to the relay coil.
    case lockedByAgent = 2
    /// No heartbeat within the watchdog timeout.
    case watchdogExpired = 3
    /// A fault stopped the copier.
    case fault = 4
    /// The user cancelled the job at the panel.
    case cancelled = 5

    public var description: String {
        switch self {
        case .completed: return "completed"
        case .budgetExhausted: return "budget exhausted"
        case .lockedByAgent: return "locked by agent"
        case .watchdogExpired: return "watchdog expired"
        case .fault: return "fault"
        case .cancelled: return "cancelled"
        }
    }
}

/// Input register 23: the copier model. Ids 0x01xx are copiers; 0x02xx are seals
/// (`SealModel`), so an id is never ambiguous between the two kinds of device.
public enum CopierModel: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// The simulated colour A3 copier of firmware-sim.
    case simulatedColour = 0x0101
    /// The simulated mono A4 copier of firmware-sim.
    case simulatedMono = 0x0102

    public var name: String {
        switch self {
        case .simulatedColour: return "IMP-SIM-C45"
        case .simulatedMono: return "IMP-SIM-M30"
        }
    }

    public var producesColour: Bool { self == .simulatedColour }

    public var paperSizes: [PaperSize] {
        switch self {
        case .simulatedColour: return PaperSize.allCases
        case .simulatedMono: return [.a4, .b5, .letter, .legal]
        }
    }

    public var description: String { name }
}
