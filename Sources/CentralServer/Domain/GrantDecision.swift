import Protocol

/// Everything the server looked up for one grant request. Built by `GrantService` from the
/// store; built by hand in tests. Nothing in here does I/O.
public struct GrantRequestFacts: Hashable, Sendable {
    public enum DeviceLookup: Hashable, Sendable {
        case notEnrolled
        case found(Device, permissions: [DevicePermission])
    }

    public enum CredentialLookup: Hashable, Sendable {
        /// A card credential whose number no user holds.
        case unknownCard
        /// A user-id credential naming no user.
        case unknownUser
        case found(User)
    }

    /// The outcome of comparing the PIN given at the device with the user's.
    public enum PINCheck: Hashable, Sendable {
        /// The user has no PIN and the credential is a card: the card alone identifies them.
        case notRequired
        /// The user has a PIN and none was given.
        case missing
        case matched
        case mismatched
        /// A PIN was needed (a user-id credential) but the user has none set.
        case noPINSet
        /// Not compared, because PIN entry is locked (the service skips the bcrypt check then).
        case notChecked
    }

    public var device: DeviceLookup
    public var credential: CredentialLookup
    public var pin: PINCheck
    /// Times of this user's recent wrong PINs (at least the per-user limit's look-back).
    public var userPINFailures: [Timestamp]
    /// Times of recent wrong PINs on this device, for any user.
    public var devicePINFailures: [Timestamp]
    public var resourceID: ResourceID
    public var resourceType: ResourceType
    public var applicationID: ApplicationID?
    /// The device's clock when the person identified; nil when the caller has none.
    public var deviceTime: Timestamp?
    /// The user's quota state in the current period; nil when the user has no quota.
    public var quota: QuotaState?
    /// The page prices in the quota's currency (money quotas only).
    public var prices: PriceTable
    /// The named seal application, for seal requests.
    public var sealApplication: SealApplicationState
    public var now: Timestamp

    public init(
        device: DeviceLookup, credential: CredentialLookup, pin: PINCheck,
        userPINFailures: [Timestamp] = [], devicePINFailures: [Timestamp] = [],
        resourceID: ResourceID, resourceType: ResourceType, applicationID: ApplicationID? = nil,
        deviceTime: Timestamp? = nil, quota: QuotaState? = nil, prices: PriceTable = .empty,
        sealApplication: SealApplicationState = .notFound, now: Timestamp
    ) {
        self.device = device
        self.credential = credential
        self.pin = pin
        self.userPINFailures = userPINFailures
        self.devicePINFailures = devicePINFailures
        self.resourceID = resourceID
        self.resourceType = resourceType
        self.applicationID = applicationID
        self.deviceTime = deviceTime
        self.quota = quota
        self.prices = prices
        self.sealApplication = sealApplication
        self.now = now
    }
}

/// What a limit grant (SPEC B3) will say, before it gets an id, a key and a signature.
public struct LimitTerms: Hashable, Sendable {
    public let period: QuotaPeriod
    public let unit: QuotaUnit
    /// Second upper limit minus used, in `unit`; may be zero or negative.
    public let available: Int64
    public let prices: PriceTable
    public let issuedAt: Timestamp
    public let expires: Timestamp

    /// The limit terms for `quota` at `now`: valid for the policy's limit grant lifetime, never
    /// past the period's end. Nil for a money quota with no prices (no limit grant can be built:
    /// the agent then stays locked offline for that user).
    public static func make(quota: QuotaState, prices: PriceTable, now: Timestamp, policy: GrantPolicy) -> LimitTerms? {
        let table: PriceTable
        switch quota.unit {
        case .pages: table = .empty
        case .money:
            guard !prices.isEmpty else { return nil }
            table = prices
        }
        let expires = min(now.adding(milliseconds: policy.limitGrantLifetime), quota.period.end)
        guard expires > now else { return nil }
        return LimitTerms(period: quota.period, unit: quota.unit, available: quota.remaining, prices: table, issuedAt: now, expires: expires)
    }
}

/// What an access grant will say, before it gets an id, a key and a signature.
public struct GrantTerms: Hashable, Sendable {
    public let userID: UserID
    public let allowance: Allowance
    public let issuedAt: Timestamp
    public let notBefore: Timestamp
    public let expires: Timestamp
    /// The user's limit grant for this device, sent with a copier grant when the user has a quota.
    public let limit: LimitTerms?
}

/// The server's answer to a grant request (SPEC A2), decided from the facts alone.
public enum GrantDecision: Hashable, Sendable {
    case grant(GrantTerms)
    /// A reason the agent acts on and a sentence for the person at the device.
    case refuse(UplinkMessage.RefusalReason, text: String)

    public var refusalReason: UplinkMessage.RefusalReason? {
        if case let .refuse(reason, _) = self { return reason }
        return nil
    }

    /// The decision for `facts` under `policy`. The checks run in this order and the first
    /// failure is the answer (docs/server.md, "Grant decision"):
    /// device enrolled → device active → resource on the device → resource type → device clock →
    /// credential known → PIN entry not locked → PIN → user active → user allowed on the device →
    /// seal application (seal) or quota (copier).
    public static func decide(_ facts: GrantRequestFacts, policy: GrantPolicy) -> GrantDecision {
        guard case let .found(device, permissions) = facts.device else {
            return .refuse(.deviceNotEnrolled, text: "This device is not enrolled. Ask an administrator.")
        }
        guard device.state == .active else {
            return .refuse(.deviceDisabled, text: "This device has been disabled by an administrator.")
        }
        guard let resource = device.resource(facts.resourceID) else {
            return .refuse(.resourceUnknown, text: "\(facts.resourceID) is not known on this device.")
        }
        guard resource.type == facts.resourceType else {
            return .refuse(.resourceKindMismatch, text: "\(facts.resourceID) is a \(resource.type), not a \(facts.resourceType).")
        }
        if let deviceTime = facts.deviceTime,
           Saturating.subtract(deviceTime.millisecondsSinceEpoch, facts.now.millisecondsSinceEpoch).magnitude > UInt64(policy.maximumDeviceClockSkew) {
            return .refuse(.deviceClockSkew, text: "This device's clock is wrong. Ask an administrator.")
        }
        let user: User
        switch facts.credential {
        case .unknownCard: return .refuse(.unknownCard, text: "This card is not registered.")
        case .unknownUser: return .refuse(.unknownUser, text: "Unknown user.")
        case let .found(found): user = found
        }
        if let refusal = checkPIN(facts, policy: policy) { return refusal }
        guard user.active else {
            return .refuse(.userDisabled, text: "Your account is disabled.")
        }
        guard DevicePermission.allows(user, permissions: permissions) else {
            return .refuse(.notAllowedOnDevice, text: "You may not use this device.")
        }
        switch facts.resourceType {
        case .seal: return decideSeal(facts, user: user, policy: policy)
        case .copier: return decideCopier(facts, user: user, policy: policy)
        }
    }

    /// When PIN entry is locked for this user or on this device, until when; nil when it is not.
    public static func pinLock(userFailures: [Timestamp], deviceFailures: [Timestamp], now: Timestamp, policy: GrantPolicy) -> Timestamp? {
        let locks = [
            policy.userPINLimit.lockedUntil(failures: userFailures, now: now),
            policy.devicePINLimit.lockedUntil(failures: deviceFailures, now: now),
        ].compactMap { $0 }
        return locks.max()
    }

    private static func checkPIN(_ facts: GrantRequestFacts, policy: GrantPolicy) -> GrantDecision? {
        guard facts.pin != .notRequired else { return nil }
        if let until = pinLock(userFailures: facts.userPINFailures, deviceFailures: facts.devicePINFailures, now: facts.now, policy: policy) {
            let minutes = (until.milliseconds(since: facts.now) + 59_999) / 60_000
            return .refuse(.pinRateLimited, text: "Too many wrong PINs. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").")
        }
        switch facts.pin {
        case .notRequired, .matched:
            return nil
        case .missing:
            return .refuse(.wrongPIN, text: "Enter your PIN.")
        case .noPINSet:
            return .refuse(.wrongPIN, text: "No PIN is set for you. Use your card or ask an administrator.")
        case .notChecked:
            return .refuse(.serverUnavailable, text: "The server could not check your PIN. Try again.")
        case .mismatched:
            let limit = policy.userPINLimit
            let recent = facts.userPINFailures.filter {
                $0 <= facts.now && facts.now.milliseconds(since: $0) < limit.window
            }.count
            let left = limit.maximumFailures - (recent + 1)
            if left <= 0 {
                return .refuse(.wrongPIN, text: "Wrong PIN. PIN entry is now locked for \(limit.lockout / 60_000) minutes.")
            }
            return .refuse(.wrongPIN, text: "Wrong PIN. \(left) tr\(left == 1 ? "y" : "ies") left.")
        }
    }

    private static func decideSeal(_ facts: GrantRequestFacts, user: User, policy: GrantPolicy) -> GrantDecision {
        guard facts.applicationID != nil else {
            return .refuse(.applicationNotApproved, text: "Choose an approved seal application.")
        }
        switch facts.sealApplication {
        case .notFound, .pending, .rejected:
            return .refuse(.applicationNotApproved, text: "This seal application is not approved.")
        case .revoked:
            return .refuse(.applicationRevoked, text: "The remaining uses of this application were revoked.")
        case let .approved(applicant, seal, usesRemaining):
            guard applicant == user.id, seal == facts.resourceID else {
                return .refuse(.applicationMismatch, text: "This application is not yours or not for this seal.")
            }
            guard usesRemaining > 0 else {
                return .refuse(.usesExhausted, text: "This application has no uses left.")
            }
            let allowance = Allowance.seal(uses: min(usesRemaining, policy.sessionSealUseCap))
            return .grant(terms(facts, user: user, allowance: allowance, limit: nil, policy: policy))
        }
    }

    private static func decideCopier(_ facts: GrantRequestFacts, user: User, policy: GrantPolicy) -> GrantDecision {
        guard let quota = facts.quota else {
            // No quota: bounded per session only, and no limit grant, so no offline use.
            let allowance = Allowance.copier(pages: policy.sessionPageCap, copies: policy.sessionPageCap, colourAllowed: true)
            return .grant(terms(facts, user: user, allowance: allowance, limit: nil, policy: policy))
        }
        let remaining = quota.remaining
        let pages: Int64
        let colourAllowed: Bool
        switch quota.unit {
        case .pages:
            pages = remaining
            colourAllowed = true
        case .money:
            guard let cheapest = facts.prices.entries.map(\.pricePerPage).min() else {
                return .refuse(.notPermitted, text: "No page prices are set. Ask an administrator.")
            }
            pages = remaining > 0 ? remaining / Int64(cheapest) : 0
            colourAllowed = facts.prices.entries.contains { $0.colour && Int64($0.pricePerPage) <= remaining }
        }
        guard pages > 0 else {
            return .refuse(.overQuota, text: "Your quota for this period is used up.")
        }
        let allowed = UInt32(clamping: min(pages, Int64(policy.sessionPageCap)))
        let allowance = Allowance.copier(pages: allowed, copies: allowed, colourAllowed: colourAllowed)
        let limit = LimitTerms.make(quota: quota, prices: facts.prices, now: facts.now, policy: policy)
        return .grant(terms(facts, user: user, allowance: allowance, limit: limit, policy: policy))
    }

    private static func terms(_ facts: GrantRequestFacts, user: User, allowance: Allowance, limit: LimitTerms?, policy: GrantPolicy) -> GrantTerms {
        GrantTerms(
            userID: user.id,
            allowance: allowance,
            issuedAt: facts.now,
            notBefore: Timestamp(millisecondsSinceEpoch: max(0, facts.now.millisecondsSinceEpoch - policy.maximumDeviceClockSkew)),
            expires: facts.now.adding(milliseconds: policy.grantLifetime),
            limit: limit
        )
    }
}
