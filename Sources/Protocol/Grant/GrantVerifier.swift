/// Verifies access grants and limit grants on the device, offline, before anything is unlocked.
///
/// Checks run in a fixed order (docs/grants.md, "Verification"): decode, key, signature, and
/// only then the claims, so nothing unsigned is ever trusted and the first failure is reported.
/// Access grant: decode → key known → signature → key valid at issued-at → device → user →
/// resource → not yet valid → expired → revoked → replayed → exhausted.
/// Limit grant: decode → key known → signature → key valid at issued-at → device → user →
/// not yet valid (period start) → expired → revoked.
public struct GrantVerifier: Sendable {
    public static let defaultClockSkew: Duration = .seconds(60)

    public let trustedKeys: TrustedKeys
    public let deviceID: DeviceID
    /// How far the device clock may be from the server's: validity starts this much earlier and
    /// ends this much later than the grant says. Negative values count as zero.
    public let clockSkew: Duration
    private let skewMilliseconds: Int64

    public init(trustedKeys: TrustedKeys, deviceID: DeviceID, clockSkew: Duration = defaultClockSkew) {
        self.trustedKeys = trustedKeys
        self.deviceID = deviceID
        self.clockSkew = clockSkew
        skewMilliseconds = Self.milliseconds(clockSkew)
    }

    // MARK: Access grants

    /// Decodes and verifies an access grant token.
    ///
    /// - Parameters:
    ///   - resource: the copier or seal being unlocked, when the caller knows it.
    ///   - user: the user identified at the device, when the caller knows it.
    ///   - usage: how much of this grant was already used, when known.
    public func verify(
        grantToken token: [UInt8],
        at now: Timestamp,
        resource: ResourceID? = nil,
        user: UserID? = nil,
        usedGrantIDs: some UsedGrantIDs,
        revocations: RevocationState,
        usage: GrantUsage? = nil
    ) -> GrantVerdict<GrantClaims> {
        let grant: SignedGrant
        do throws(WireError) {
            grant = try SignedGrant(wireBytes: token)
        } catch {
            return .refused(.malformed(error))
        }
        return verify(grant, at: now, resource: resource, user: user,
                      usedGrantIDs: usedGrantIDs, revocations: revocations, usage: usage)
    }

    /// Verifies a decoded access grant.
    public func verify(
        _ grant: SignedGrant,
        at now: Timestamp,
        resource: ResourceID? = nil,
        user: UserID? = nil,
        usedGrantIDs: some UsedGrantIDs,
        revocations: RevocationState,
        usage: GrantUsage? = nil
    ) -> GrantVerdict<GrantClaims> {
        if let problem = trustedKeys.authenticate(grant) { return .refused(GrantRefusal(problem)) }
        let claims = grant.content
        guard claims.deviceID == deviceID else { return .refused(.wrongDevice(expected: deviceID, granted: claims.deviceID)) }
        if let user, claims.subject != user { return .refused(.wrongUser(expected: user, granted: claims.subject)) }
        if let resource, claims.resourceID != resource {
            return .refused(.wrongResource(expected: resource, granted: claims.resourceID))
        }
        if let refusal = checkTime(now, validFrom: claims.notBefore, expires: claims.expires) { return .refused(refusal) }
        if revocations.isRevoked(claims.grantID) { return .refused(.revoked(claims.grantID)) }
        if usedGrantIDs.contains(claims.grantID) { return .refused(.replayed(claims.grantID)) }
        if let usage, claims.allowance.isExhausted(by: usage, for: claims.resourceType) {
            return .refused(.exhausted(claims.grantID))
        }
        return .accepted(claims)
    }

    /// Until when the agent must remember that it used a grant: its expiry plus the clock skew,
    /// the last moment at which the grant could still verify.
    public func usedIDRetention(for claims: GrantClaims) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Self.saturatingAdd(claims.expires.millisecondsSinceEpoch, skewMilliseconds))
    }

    // MARK: Limit grants

    /// Decodes and verifies a limit grant token for `user` on this device.
    public func verify(
        limitGrantToken token: [UInt8],
        at now: Timestamp,
        user: UserID,
        revocations: RevocationState
    ) -> GrantVerdict<LimitGrant> {
        let limit: SignedLimitGrant
        do throws(WireError) {
            limit = try SignedLimitGrant(wireBytes: token)
        } catch {
            return .refused(.malformed(error))
        }
        return verify(limit, at: now, user: user, revocations: revocations)
    }

    /// Verifies a decoded limit grant for `user` on this device. It is valid from the start of
    /// its period to its expiry, both widened by the clock skew.
    public func verify(
        _ limit: SignedLimitGrant,
        at now: Timestamp,
        user: UserID,
        revocations: RevocationState
    ) -> GrantVerdict<LimitGrant> {
        if let problem = trustedKeys.authenticate(limit) { return .refused(GrantRefusal(problem)) }
        let grant = limit.content
        guard grant.deviceID == deviceID else { return .refused(.wrongDevice(expected: deviceID, granted: grant.deviceID)) }
        guard grant.userID == user else { return .refused(.wrongUser(expected: user, granted: grant.userID)) }
        if let refusal = checkTime(now, validFrom: grant.periodStart, expires: grant.expires) { return .refused(refusal) }
        if revocations.isRevoked(grant.grantID) { return .refused(.revoked(grant.grantID)) }
        return .accepted(grant)
    }

    // MARK: Time

    /// Valid when `validFrom - skew <= now < expires + skew`.
    private func checkTime(_ now: Timestamp, validFrom: Timestamp, expires: Timestamp) -> GrantRefusal? {
        let earliest = validFrom.millisecondsSinceEpoch - skewMilliseconds
        guard now.millisecondsSinceEpoch >= earliest else { return .notYetValid(validFrom: validFrom, now: now) }
        let end = Self.saturatingAdd(expires.millisecondsSinceEpoch, skewMilliseconds)
        guard now.millisecondsSinceEpoch < end else { return .expired(expires: expires, now: now) }
        return nil
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Whole milliseconds in `duration`, at least 0 and at most a century (an absurd skew would
    /// otherwise overflow the timestamp arithmetic).
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let century: Int64 = 100 * 366 * 86_400
        guard seconds >= 0 else { return 0 }
        guard seconds < century else { return century * 1000 }
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
