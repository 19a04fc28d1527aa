import Protocol

/// Where one payer stands on their share (SPEC D2): asked (`requesting`), logged in and PIN
/// re-checked (`authenticated`), then `approved`, `rejected` or `timedOut` for good.
public enum SplitPayerState: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case requesting
    case authenticated
    case approved
    case rejected
    case timedOut = "timed-out"

    public var description: String { rawValue }
    /// Still waiting for the payer's answer.
    public var isOpen: Bool { self == .requesting || self == .authenticated }
}

/// What happens to a payer's state.
public enum SplitConsentEvent: Hashable, Sendable {
    /// The payer proved who they are (API token and PIN).
    case authenticate
    case approve
    case reject
    /// The requester asks again: the notice is sent again and a login must be repeated.
    case reRequest
    /// The deadline passed.
    case timeout
}

/// The per-payer state machine (docs/split-charges.md), pure: the state, the event, the
/// deadline and the time in; the new state out, or why not.
public enum SplitConsent {
    /// Default time a payer has to answer (SPEC D4): 3 days.
    public static let defaultTimeout: Int64 = 3 * 24 * 3_600_000

    public static func apply(_ event: SplitConsentEvent, to state: SplitPayerState, deadline: Timestamp, at now: Timestamp) throws(SplitError) -> SplitPayerState {
        guard state.isOpen else {
            throw .conflict("the share is already \(state); it cannot change")
        }
        if event != .timeout, now >= deadline {
            throw .conflict("the share timed out at \(TimeText.iso8601(deadline)); it cannot change")
        }
        switch event {
        case .authenticate: return .authenticated
        case .approve:
            guard state == .authenticated else { throw .conflict("authenticate first (POST .../authenticate with your PIN), then approve") }
            return .approved
        case .reject:
            // Rejecting needs a login as well: nobody turns down another person's share.
            guard state == .authenticated else { throw .conflict("authenticate first (POST .../authenticate with your PIN), then reject") }
            return .rejected
        case .reRequest: return .requesting
        case .timeout:
            guard now >= deadline else { throw .conflict("the share does not time out before \(TimeText.iso8601(deadline))") }
            return .timedOut
        }
    }
}

/// Where a part stands, from its payers' states (SPEC D3, D4).
public enum SplitPartStatus: String, Hashable, Sendable, CustomStringConvertible {
    /// Some payer has not answered yet.
    case waiting
    /// Every payer approved: printed and charged.
    case released
    /// A payer rejected: the part is ended and its data deleted.
    case rejected
    /// A payer did not answer in time: the part is ended and its data deleted.
    case timedOut = "timed-out"

    public var description: String { rawValue }

    public static func of(_ states: [SplitPayerState]) -> SplitPartStatus {
        if states.contains(.rejected) { return .rejected }
        if states.contains(.timedOut) { return .timedOut }
        if !states.isEmpty, states.allSatisfy({ $0 == .approved }) { return .released }
        return .waiting
    }

    public var isEnded: Bool { self == .rejected || self == .timedOut }
}
