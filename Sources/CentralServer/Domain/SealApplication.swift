import Protocol

/// A request to use a company seal (SPEC E1) and where its approval stands (E2, E7). A plain
/// value: `SealWorkflow` moves it from state to state, the store keeps it.
public struct SealApplication: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// Waiting on the approver of level `level` (0-based).
        case pending(level: Int)
        case approved
        case rejected
        /// Approved earlier; an approver or administrator revoked the uses it had left (E7).
        case revoked

        /// The stored name: `pending`, `approved`, `rejected`, `revoked`.
        public var name: String {
            switch self {
            case .pending: return "pending"
            case .approved: return "approved"
            case .rejected: return "rejected"
            case .revoked: return "revoked"
            }
        }
    }

    public let id: ApplicationID
    public let applicant: UserID
    /// The seal (its resource id on some enrolled device).
    public let seal: ResourceID
    public let reason: String
    /// How many stamps it asks for.
    public let uses: UInt32
    /// How many photos of the stamped documents to take after use (E1).
    public let photos: UInt32
    /// The approver of each level, in order. A forward replaces the approver of that level.
    public var approvers: [UserID]
    /// People told about each step and shown the record (E6), not asked to decide.
    public let cc: [UserID]
    public var status: Status
    public let submitted: Timestamp
    /// When it was approved, rejected or revoked.
    public var decided: Timestamp?
    /// When its remaining uses were revoked.
    public var revokedAt: Timestamp?
    /// Stamps the server has recorded against it (counted at ingestion).
    public var usesMade: UInt32

    public init(
        id: ApplicationID, applicant: UserID, seal: ResourceID, reason: String, uses: UInt32, photos: UInt32,
        approvers: [UserID], cc: [UserID], status: Status, submitted: Timestamp, decided: Timestamp? = nil,
        revokedAt: Timestamp? = nil, usesMade: UInt32 = 0
    ) {
        self.id = id
        self.applicant = applicant
        self.seal = seal
        self.reason = reason
        self.uses = uses
        self.photos = photos
        self.approvers = approvers
        self.cc = cc
        self.status = status
        self.submitted = submitted
        self.decided = decided
        self.revokedAt = revokedAt
        self.usesMade = usesMade
    }

    /// Approved − used, and nothing once revoked, rejected or still pending.
    public var usesRemaining: UInt32 {
        guard status == .approved else { return 0 }
        return uses > usesMade ? uses - usesMade : 0
    }

    /// Who must act now: the approver of the current level while pending.
    public var waitingOn: UserID? {
        guard case let .pending(level) = status, approvers.indices.contains(level) else { return nil }
        return approvers[level]
    }

    /// Everyone involved: the applicant, every approver, the CC list (E6: they see the record).
    public var participants: Set<UserID> {
        Set([applicant] + approvers + cc)
    }

    /// What a seal grant request naming this application is decided on (`GrantDecision`).
    public var grantState: SealApplicationState {
        switch status {
        case .pending: return .pending
        case .rejected: return .rejected
        case .revoked: return .revoked
        case .approved: return .approved(applicant: applicant, seal: seal, usesRemaining: usesRemaining)
        }
    }
}

/// One step in an application's life (its timeline): who did what, when.
public struct SealApplicationStep: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case submitted
        case approved(level: Int)
        /// The approver of `level` handed it to `to` (E2: it exceeds their authority).
        case forwarded(level: Int, to: UserID)
        case rejected(level: Int)
        /// Every level approved: the grant can now be fetched.
        case completed
        case revoked(usesRevoked: UInt32)
        /// A stamp recorded against it; `flagged` says what was wrong when it should not have happened.
        case used(useNumber: UInt32, flagged: String?)

        /// The stored and shown name.
        public var name: String {
            switch self {
            case .submitted: return "submitted"
            case .approved: return "approved"
            case .forwarded: return "forwarded"
            case .rejected: return "rejected"
            case .completed: return "completed"
            case .revoked: return "revoked"
            case .used: return "used"
            }
        }
    }

    public let at: Timestamp
    /// `user:<id>`, or `device:<id>` for a use.
    public let actor: String
    public let action: Action
    /// What the person wrote, if anything.
    public let note: String?

    public init(at: Timestamp, actor: String, action: Action, note: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.note = note
    }
}
