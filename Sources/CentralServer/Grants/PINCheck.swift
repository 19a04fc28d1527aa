import Protocol

/// Every path that compares a PIN (a grant request over the uplink, a split payer's
/// authentication over the API) goes through here, so one count of wrong PINs per user and
/// per device limits them all (SPEC A2, issue 21). The attempt is counted as wrong in the same
/// transaction that checks the lock, before bcrypt runs, and withdrawn when the PIN is right:
/// 40 parallel guesses can compare at most the limit's number of PINs. Before, the count was
/// read, bcrypt ran, then the failure was written, and 29 of 40 parallel guesses were compared
/// against a limit of 5; the split path had no limit at all.
public struct PINCheck: Sendable {
    public enum Verdict: Sendable, Equatable {
        case matched
        case mismatched
        /// Too many wrong PINs: not compared.
        case locked(until: Timestamp)
    }

    public struct Result: Sendable, Equatable {
        public let verdict: Verdict
        /// The wrong PINs before this attempt, for the refusal's wording.
        public let userFailures: [Timestamp]
        public let deviceFailures: [Timestamp]
    }

    let store: any ServerStore
    let policy: GrantPolicy

    public init(store: any ServerStore, policy: GrantPolicy) {
        self.store = store
        self.policy = policy
    }

    /// Compares `pin` with `hash` for `user` at `device`, unless PIN entry is locked.
    public func check(_ pin: String, hash: String, user: UserID, device: DeviceID, now: Timestamp) async throws -> Result {
        let policy = self.policy
        let claim = try await store.claimPINAttempt(
            userID: user, deviceID: device, at: now,
            userSince: now.adding(milliseconds: -policy.userPINLimit.lookBack),
            deviceSince: now.adding(milliseconds: -policy.devicePINLimit.lookBack),
            locked: { GrantDecision.pinLock(userFailures: $0, deviceFailures: $1, now: now, policy: policy) != nil })
        guard claim.counted else {
            let until = GrantDecision.pinLock(userFailures: claim.userFailures, deviceFailures: claim.deviceFailures, now: now, policy: policy) ?? now
            return Result(verdict: .locked(until: until), userFailures: claim.userFailures, deviceFailures: claim.deviceFailures)
        }
        guard await Secrets.bcryptVerify(pin, hash: hash) else {
            if let until = GrantDecision.pinLock(userFailures: claim.userFailures + [now], deviceFailures: claim.deviceFailures + [now], now: now, policy: policy) {
                try await store.recordSecurityEvent(SecurityEvent(
                    at: now, kind: "pin.locked", deviceID: device, userID: user,
                    detail: "too many wrong PINs; PIN entry locked until \(TimeText.iso8601(until))"))
            }
            return Result(verdict: .mismatched, userFailures: claim.userFailures, deviceFailures: claim.deviceFailures)
        }
        // Right: the attempt and the user's earlier wrong PINs are forgotten together.
        try await store.clearPINFailures(userID: user)
        return Result(verdict: .matched, userFailures: claim.userFailures, deviceFailures: claim.deviceFailures)
    }
}
