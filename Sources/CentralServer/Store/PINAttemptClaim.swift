import Protocol

/// What `ServerStore.claimPINAttempt` found and did: the wrong PINs before this attempt, and
/// whether the attempt was counted (as wrong, until the PIN proves right and
/// `clearPINFailures` forgets the user's count); false when PIN entry was locked and the PIN
/// must not be compared.
public struct PINAttemptClaim: Sendable, Equatable {
    public let counted: Bool
    public let userFailures: [Timestamp]
    public let deviceFailures: [Timestamp]

    public init(counted: Bool, userFailures: [Timestamp], deviceFailures: [Timestamp]) {
        self.counted = counted
        self.userFailures = userFailures
        self.deviceFailures = deviceFailures
    }
}
