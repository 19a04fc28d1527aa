import Protocol

/// What `ServerStore.claimPINAttempt` found and did: the wrong PINs before this attempt, and
/// the attempt's row (counted as wrong until the PIN proves right); nil when PIN entry was
/// locked and the PIN must not be compared.
public struct PINAttemptClaim: Sendable, Equatable {
    public let attempt: Int64?
    public let userFailures: [Timestamp]
    public let deviceFailures: [Timestamp]

    public init(attempt: Int64?, userFailures: [Timestamp], deviceFailures: [Timestamp]) {
        self.attempt = attempt
        self.userFailures = userFailures
        self.deviceFailures = deviceFailures
    }
}
