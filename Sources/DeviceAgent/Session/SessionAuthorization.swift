import Protocol

/// What lets a copier session open: a server grant the `GrantVerifier` accepted (online), or the
/// user's signed limit grant (offline, SPEC B3). Its initialiser is private: the only ways to
/// get one are the two verifying constructors below, so the session state machine cannot be
/// handed an unverified grant.
public struct SessionAuthorization: Sendable, Equatable {
    public enum Basis: Sendable, Equatable {
        case online(GrantClaims)
        case offline(LimitGrant)
    }

    public let basis: Basis
    public let user: UserID
    /// The access grant's id (online) or the limit grant's id (offline).
    public let grantID: GrantID
    public let expires: Timestamp
    /// Pages the copier may produce in this session: what the page budget register is set to.
    public let pageBudget: UInt32

    private init(basis: Basis, user: UserID, grantID: GrantID, expires: Timestamp, pageBudget: UInt32) {
        self.basis = basis
        self.user = user
        self.grantID = grantID
        self.expires = expires
        self.pageBudget = pageBudget
    }

    public var isOffline: Bool {
        if case .offline = basis { return true }
        return false
    }

    /// Verifies a grant the server sent for this copier. The budget is what the grant allows;
    /// the server computed it from the user's quota.
    public static func online(
        grantToken: [UInt8],
        verifier: GrantVerifier,
        copier: ResourceID,
        at now: Timestamp,
        usedGrantIDs: some UsedGrantIDs,
        revocations: RevocationState
    ) -> Result<SessionAuthorization, GrantRefusal> {
        switch verifier.verify(grantToken: grantToken, at: now, resource: copier, usedGrantIDs: usedGrantIDs, revocations: revocations) {
        case let .refused(reason):
            return .failure(reason)
        case let .accepted(claims):
            guard claims.resourceType == .copier else { return .failure(.wrongResource(expected: copier, granted: claims.resourceID)) }
            return .success(SessionAuthorization(
                basis: .online(claims), user: claims.subject, grantID: claims.grantID,
                expires: claims.expires, pageBudget: claims.allowance.pages
            ))
        }
    }

    /// Decides a tap with no server: from the user's cached limit grant, less what was used
    /// since it was issued. For a money quota the budget is priced at the dearest page in the
    /// grant's price table, so no mix of colour and paper can take the user past the limit.
    /// The session ends when the limit grant expires.
    public static func offline(
        limitGrantToken: [UInt8],
        verifier: GrantVerifier,
        user: UserID,
        usedSinceIssue: UInt64,
        at now: Timestamp,
        revocations: RevocationState
    ) -> Result<SessionAuthorization, GrantRefusal> {
        switch verifier.verify(limitGrantToken: limitGrantToken, at: now, user: user, revocations: revocations) {
        case let .refused(reason):
            return .failure(reason)
        case let .accepted(limit):
            return .success(SessionAuthorization(
                basis: .offline(limit), user: limit.userID, grantID: limit.grantID,
                expires: limit.expires, pageBudget: limit.sessionBudget(usedSinceIssue: usedSinceIssue)
            ))
        }
    }

    /// The same authorization with its page budget lowered to `budget` (never raised): an
    /// online grant is capped by what the user's limit grant leaves once the jobs the server
    /// has not yet heard of are counted (H1: zero pages over the limit).
    public func capped(at budget: UInt32) -> SessionAuthorization {
        SessionAuthorization(basis: basis, user: user, grantID: grantID, expires: expires, pageBudget: min(pageBudget, budget))
    }
}

extension LimitGrant {
    /// The pages a session may produce with `usedSinceIssue` already used: for a money quota
    /// priced at the dearest page in the grant's price table, so no mix of colour and paper can
    /// take the user past the limit.
    public func sessionBudget(usedSinceIssue: UInt64) -> UInt32 {
        switch unit {
        case .pages:
            return pageBudget(usedSinceIssue: usedSinceIssue, paperSize: .a4, colour: false)
        case .money:
            return prices.entries.map { pageBudget(usedSinceIssue: usedSinceIssue, paperSize: $0.paperSize, colour: $0.colour) }.min() ?? 0
        }
    }

    /// What a finished job costs against this limit grant, in its unit: pages, or money at the
    /// grant's prices. A paper/colour the table does not price is charged at the dearest price
    /// (the same rule that set the offline budget), so the limit still holds.
    public func cost(colourPages: UInt32, monoPages: UInt32, paperSize: PaperSize) -> UInt64 {
        switch unit {
        case .pages:
            return UInt64(colourPages) + UInt64(monoPages)
        case .money:
            let dearest = UInt64(prices.entries.map(\.pricePerPage).max() ?? 0)
            let colour = prices.price(paperSize: paperSize, colour: true).map(UInt64.init) ?? dearest
            let mono = prices.price(paperSize: paperSize, colour: false).map(UInt64.init) ?? dearest
            // Each product fits (two 32-bit factors); their sum may not, from a faulty copier's
            // page counts: saturate, which is over any limit, rather than trap the agent.
            let total = (colour * UInt64(colourPages)).addingReportingOverflow(mono * UInt64(monoPages))
            return total.overflow ? .max : total.partialValue
        }
    }
}
