import Protocol

extension CopierJobEnd {
    /// The one-word name the panel's job answers ("stopped") and the state file use.
    public var token: String {
        switch self {
        case .completed: return "completed"
        case .budgetExhausted: return "budget"
        case .lockedByAgent: return "locked"
        case .watchdogExpired: return "watchdog"
        case .fault: return "fault"
        case .cancelled: return "cancelled"
        }
    }

    public init?(token: String) {
        guard let match = Self.allCases.first(where: { $0.token == token }) else { return nil }
        self = match
    }
}

extension CopierModel {
    /// Parses a model's name (`IMP-SIM-C45`) as the state file stores it.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
