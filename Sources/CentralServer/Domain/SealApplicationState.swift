import Protocol

/// What the server knows about the seal-use application a seal grant request names (SPEC E1-E3,
/// E7). The application workflow itself arrives with the seal issues; the decision already
/// answers each state with its refusal reason.
public enum SealApplicationState: Hashable, Sendable {
    /// No application has that id.
    case notFound
    /// Still waiting for an approval level.
    case pending
    case rejected
    /// An approver revoked its remaining uses (SPEC E7).
    case revoked
    case approved(applicant: UserID, seal: ResourceID, usesRemaining: UInt32)
}
