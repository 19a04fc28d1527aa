import Logging
import Protocol

/// Answers grant requests (SPEC A2, F2): looks the facts up in the store, lets `GrantDecision`
/// decide, signs what it grants with the current server key, and records what it did
/// (`grants_issued`, wrong PINs, metrics). The uplink calls it for each `grantRequest`.
public final class GrantService: Sendable {
    public let store: any ServerStore
    public let keyRing: ServerKeyRing
    public let policy: GrantPolicy
    public let metrics: ServerMetrics
    private let logger: Logger

    public init(store: any ServerStore, keyRing: ServerKeyRing, policy: GrantPolicy = GrantPolicy(), metrics: ServerMetrics, logger: Logger = Logger(label: "imprimatur.grants")) {
        self.store = store
        self.keyRing = keyRing
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
    }

    /// Answers an uplink `grantRequest` from `device` (already authenticated by the uplink).
    public func requestGrant(device: DeviceID, request: UplinkMessage.GrantRequest, now: Timestamp) async -> GrantOutcome {
        await requestGrant(
            device: device, credential: request.credential, resource: request.resourceID, resourceType: request.resourceType,
            applicationID: request.applicationID, deviceTime: request.deviceTime, now: now
        )
    }

    /// Decides a grant request and signs the grant, or says why not. Never throws: a store or
    /// key failure is a `serverUnavailable` refusal (logged), so the agent keeps the device locked.
    public func requestGrant(
        device deviceID: DeviceID, credential: UplinkMessage.Credential, resource: ResourceID, resourceType: ResourceType,
        applicationID: ApplicationID? = nil, deviceTime: Timestamp? = nil, now: Timestamp
    ) async -> GrantOutcome {
        do {
            let facts = try await gatherFacts(
                deviceID: deviceID, credential: credential, resource: resource, resourceType: resourceType,
                applicationID: applicationID, deviceTime: deviceTime, now: now
            )
            let decision = GrantDecision.decide(facts, policy: policy)
            switch decision {
            case let .refuse(reason, text):
                metrics.grantRefused(reason)
                logger.info("grant refused", metadata: ["device": "\(deviceID)", "reason": "\(reason)"])
                return .refused(reason, text: text)
            case let .grant(terms):
                let tokens = try await sign(terms, deviceID: deviceID, resource: resource, resourceType: resourceType, applicationID: applicationID)
                metrics.grantIssued(resourceType)
                logger.info("grant issued", metadata: [
                    "device": "\(deviceID)", "user": "\(terms.userID)", "grant": "\(tokens.accessGrant.claims.grantID)",
                ])
                return .granted(tokens)
            }
        } catch is ApplicationRevokedError {
            // Revoked between reading the application and recording the grant (recordIssuedGrants).
            metrics.grantRefused(.applicationRevoked)
            logger.info("grant refused", metadata: ["device": "\(deviceID)", "reason": "applicationRevoked (during issue)"])
            return .refused(.applicationRevoked, text: "The remaining uses of this application were revoked.")
        } catch {
            metrics.grantRefused(.serverUnavailable)
            logger.error("grant request failed", metadata: ["device": "\(deviceID)", "error": "\(error)"])
            return .refused(.serverUnavailable, text: "The server cannot decide right now. Try again.")
        }
    }

    /// A fresh signed limit grant for `user` on `device` (for the uplink's `limitUpdate`
    /// pushes), or nil when the user has no quota, a money quota has no prices, or the user may
    /// not use the device (disabled user or device, or not on its permission list).
    public func limitGrant(user userID: UserID, device deviceID: DeviceID, now: Timestamp) async throws -> SignedLimitGrant? {
        guard let device = try await store.device(id: deviceID), device.state == .active,
              let user = try await store.user(id: userID), user.active,
              DevicePermission.allows(user, permissions: try await store.devicePermissions(deviceID))
        else { return nil }
        return try await signedLimitGrant(user: userID, device: deviceID, now: now)
    }

    private func signedLimitGrant(user userID: UserID, device deviceID: DeviceID, now: Timestamp) async throws -> SignedLimitGrant? {
        guard let quota = try await quotaState(userID: userID, now: now) else { return nil }
        let prices = try await priceTable(for: quota.unit)
        guard let terms = LimitTerms.make(quota: quota, prices: prices, now: now, policy: policy) else { return nil }
        let key = try keyRing.keys().current
        let signed = try signLimit(terms, userID: userID, deviceID: deviceID, key: key)
        try await store.recordIssuedGrants([issuedRecord(signed)])
        return signed
    }

    /// Fresh signed limit grants for every active user with a quota who may use `device` (for
    /// the uplink's `limitUpdate` push on connect and periodically). Empty for an unknown or
    /// disabled device.
    public func limitGrants(device deviceID: DeviceID, now: Timestamp) async throws -> [SignedLimitGrant] {
        guard let device = try await store.device(id: deviceID), device.state == .active else { return [] }
        let permissions = try await store.devicePermissions(deviceID)
        var grants: [SignedLimitGrant] = []
        for user in try await store.users() where user.active && DevicePermission.allows(user, permissions: permissions) {
            if let grant = try await signedLimitGrant(user: user.id, device: deviceID, now: now) { grants.append(grant) }
        }
        return grants
    }

    /// The public keys agents must trust now (the current key and retired keys whose grants may
    /// still be valid), for the enrolment answer and the uplink's `serverKeys` push.
    public func publishedKeys(now: Timestamp) throws -> [PublishedServerKey] {
        try keyRing.keys().published(at: now, maximumGrantLifetime: policy.maximumGrantLifetime)
    }

    /// The published keys as the uplink's `serverKeys` message.
    public func uplinkServerKeys(now: Timestamp) throws -> UplinkMessage.ServerKeys {
        try keyRing.keys().uplinkServerKeys(at: now, maximumGrantLifetime: policy.maximumGrantLifetime)
    }

    // MARK: Facts

    private func gatherFacts(
        deviceID: DeviceID, credential: UplinkMessage.Credential, resource: ResourceID, resourceType: ResourceType,
        applicationID: ApplicationID?, deviceTime: Timestamp?, now: Timestamp
    ) async throws -> GrantRequestFacts {
        let device = try await store.device(id: deviceID)
        let deviceLookup: GrantRequestFacts.DeviceLookup
        if let device {
            deviceLookup = .found(device, permissions: try await store.devicePermissions(deviceID))
        } else {
            deviceLookup = .notEnrolled
        }
        let user: User?
        let credentialLookup: GrantRequestFacts.CredentialLookup
        let givenPIN: UplinkMessage.PIN?
        switch credential {
        case let .card(number, pin):
            user = try await store.user(cardNumber: number.value)
            credentialLookup = user.map { .found($0) } ?? .unknownCard
            givenPIN = pin
        case let .user(id, pin):
            user = try await store.user(id: id)
            credentialLookup = user.map { .found($0) } ?? .unknownUser
            givenPIN = pin
        }
        var facts = GrantRequestFacts(
            device: deviceLookup, credential: credentialLookup, pin: .notChecked,
            resourceID: resource, resourceType: resourceType, applicationID: applicationID, deviceTime: deviceTime, now: now
        )
        guard let user, device != nil else { return facts }

        let pinNeeded: Bool
        if case .user = credential { pinNeeded = true } else { pinNeeded = user.pinHash != nil }
        if pinNeeded {
            if let givenPIN, let hash = user.pinHash {
                // Counted before it is compared, across every path that checks a PIN (PINCheck).
                let checked = try await PINCheck(store: store, policy: policy).check(givenPIN.value, hash: hash, user: user.id, device: deviceID, now: now)
                facts.userPINFailures = checked.userFailures
                facts.devicePINFailures = checked.deviceFailures
                switch checked.verdict {
                case .matched: facts.pin = .matched
                case .mismatched: facts.pin = .mismatched
                case .locked: facts.pin = .notChecked
                }
            } else {
                // Nothing is compared; the failures are read for a lock's refusal.
                facts.userPINFailures = try await store.pinFailures(userID: user.id, since: now.adding(milliseconds: -policy.userPINLimit.lookBack))
                facts.devicePINFailures = try await store.pinFailures(deviceID: deviceID, since: now.adding(milliseconds: -policy.devicePINLimit.lookBack))
                facts.pin = givenPIN == nil ? .missing : .noPINSet
            }
        } else {
            facts.pin = .notRequired
        }

        if resourceType == .copier, let quota = try await quotaState(userID: user.id, now: now) {
            facts.quota = quota
            facts.prices = try await priceTable(for: quota.unit)
        }
        if resourceType == .seal, let applicationID {
            facts.sealApplication = try await store.sealApplication(id: applicationID)?.grantState ?? .notFound
        }
        return facts
    }

    /// The user's quota state at `now` by the rule of docs/quotas.md, from the ledger alone.
    public func quotaState(userID: UserID, now: Timestamp) async throws -> QuotaState? {
        guard let quota = try await store.quota(userID: userID) else { return nil }
        let entries = try await store.quotaEntries(userID: userID, period: quota.period.period(containing: now))
        return QuotaLedger.state(unit: quota.unit, period: quota.period, entries: entries, at: now, policy: policy.payments)
    }

    private func priceTable(for unit: QuotaUnit) async throws -> PriceTable {
        guard case let .money(currency) = unit else { return .empty }
        return Price.table(try await store.prices(), currency: currency)
    }

    // MARK: Signing

    private func sign(
        _ terms: GrantTerms, deviceID: DeviceID, resource: ResourceID, resourceType: ResourceType, applicationID: ApplicationID?
    ) async throws -> IssuedGrantTokens {
        let key = try keyRing.keys().current
        var generator = SystemRandomNumberGenerator()
        let claims = try GrantClaims(
            grantID: .random(using: &generator), keyID: key.keyID, deviceID: deviceID, subject: terms.userID,
            resourceID: resource, resourceType: resourceType, allowance: terms.allowance,
            applicationID: resourceType == .seal ? applicationID : nil,
            issuedAt: terms.issuedAt, notBefore: terms.notBefore, expires: terms.expires
        )
        let access = SignedGrant.sign(claims, with: key.signingKey)
        let limit = try terms.limit.map { try signLimit($0, userID: terms.userID, deviceID: deviceID, key: key) }
        var records = [IssuedGrant(
            grantID: claims.grantID, kind: .access, keyID: key.keyID, userID: terms.userID, deviceID: deviceID,
            resourceID: resource, issuedAt: claims.issuedAt, expires: claims.expires, allowance: claims.allowance, available: nil,
            applicationID: claims.applicationID
        )]
        if let limit { records.append(issuedRecord(limit)) }
        try await store.recordIssuedGrants(records)
        return IssuedGrantTokens(accessGrant: access, limitGrant: limit)
    }

    private func signLimit(_ terms: LimitTerms, userID: UserID, deviceID: DeviceID, key: ServerSigningKey) throws -> SignedLimitGrant {
        var generator = SystemRandomNumberGenerator()
        let grant = try LimitGrant(
            grantID: .random(using: &generator), keyID: key.keyID, deviceID: deviceID, userID: userID,
            periodStart: terms.period.start, periodEnd: terms.period.end, unit: terms.unit, available: terms.available,
            prices: terms.prices, issuedAt: terms.issuedAt, expires: terms.expires
        )
        return SignedLimitGrant.sign(grant, with: key.signingKey)
    }

    private func issuedRecord(_ limit: SignedLimitGrant) -> IssuedGrant {
        let grant = limit.limitGrant
        return IssuedGrant(
            grantID: grant.grantID, kind: .limit, keyID: grant.keyID, userID: grant.userID, deviceID: grant.deviceID,
            resourceID: nil, issuedAt: grant.issuedAt, expires: grant.expires, allowance: nil, available: grant.available
        )
    }
}
