import Protocol

/// Where the server keeps its state. The domain and the HTTP layer talk only to this protocol,
/// so a PostgreSQL store can follow the SQLite one without touching them.
///
/// Rules every implementation keeps:
/// - every method that takes an `AuditRecord` writes it to the audit log in the same
///   transaction as the change: the change and its record exist together or not at all;
/// - the audit log and the ledger are append-only: nothing updates or deletes their rows;
/// - "not found" for a change is `StoreError.notFound`; a duplicate is `StoreError.conflict`.
public protocol ServerStore: DeviceLogStore, SealStore, SplitStore {
    // MARK: Lifecycle

    /// Succeeds when the store can answer queries (for `/healthz`).
    func ping() async throws
    /// Closes the store; later calls fail.
    func close() async throws
    /// This server's id (created with the store; signed into device authentication proofs).
    func serverID() async throws -> ServerID

    // MARK: Users and cards

    func createUser(_ user: User, audit: AuditRecord) async throws
    func user(id: UserID) async throws -> User?
    func user(cardNumber: String) async throws -> User?
    func users() async throws -> [User]
    func setUserActive(_ id: UserID, active: Bool, audit: AuditRecord) async throws
    func setPINHash(_ id: UserID, hash: String?, audit: AuditRecord) async throws
    func setPasswordHash(_ id: UserID, hash: String?, audit: AuditRecord) async throws
    func addCard(_ number: String, to id: UserID, at: Timestamp, audit: AuditRecord) async throws
    func removeCard(_ number: String, from id: UserID, audit: AuditRecord) async throws

    // MARK: API tokens

    func createAPIToken(hash: Hash32, userID: UserID, name: String, created: Timestamp, audit: AuditRecord) async throws
    /// The user an API token (by the SHA-256 of its text) belongs to.
    func apiTokenOwner(hash: Hash32) async throws -> User?

    // MARK: Devices

    func createEnrollmentToken(_ token: EnrollmentToken, audit: AuditRecord) async throws
    func enrollmentTokens() async throws -> [EnrollmentToken]
    /// Uses the token with hash `tokenHash` once and registers `device`, in one transaction.
    /// Throws `StoreError.enrollment` for an unknown, used or expired token or an enrolled id;
    /// writes an audit entry (actor `enrolment:<token name>`, from `source`).
    @discardableResult
    func enroll(tokenHash: Hash32, device: Device, now: Timestamp, source: String) async throws -> Device
    func device(id: DeviceID) async throws -> Device?
    func devices() async throws -> [Device]
    func setDeviceState(_ id: DeviceID, state: DeviceState, audit: AuditRecord) async throws
    func devicePermissions(_ id: DeviceID) async throws -> [DevicePermission]
    func setDevicePermissions(_ id: DeviceID, permissions: [DevicePermission], audit: AuditRecord) async throws
    /// The uplink calls this when a device connects or sends anything.
    func recordDeviceSeen(_ id: DeviceID, at: Timestamp) async throws

    // MARK: Prices, quotas, ledger, jobs, charges

    func prices() async throws -> [Price]
    func setPrice(_ price: Price, at: Timestamp, audit: AuditRecord) async throws
    func quota(userID: UserID) async throws -> Quota?
    func setQuota(_ quota: Quota, at: Timestamp, audit: AuditRecord) async throws
    /// Appends a ledger entry; `audit` when a person made it (payments, adjustments).
    @discardableResult
    func appendLedger(_ entry: LedgerEntry, audit: AuditRecord?) async throws -> Int64
    /// Sums of the user's ledger entries in `period`, in `unit` (pages, or minor units of that currency).
    func ledgerTotals(userID: UserID, unit: QuotaUnit, period: QuotaPeriod) async throws -> LedgerTotals
    func ledger(userID: UserID?, limit: Int) async throws -> [LedgerEntry]
    func jobs(limit: Int) async throws -> [JobRecord]
    func charges(limit: Int) async throws -> [ChargeRecord]

    // MARK: Grants and PIN failures

    func recordIssuedGrants(_ grants: [IssuedGrant]) async throws
    func issuedGrants(userID: UserID?, limit: Int) async throws -> [IssuedGrant]
    func recordPINFailure(userID: UserID, deviceID: DeviceID, at: Timestamp) async throws
    func pinFailures(userID: UserID, since: Timestamp) async throws -> [Timestamp]
    func pinFailures(deviceID: DeviceID, since: Timestamp) async throws -> [Timestamp]
    /// Forgets a user's wrong PINs after a right one.
    func clearPINFailures(userID: UserID) async throws

    // MARK: Audit log and security events

    /// Appends a record for a change that has no other effect in the store.
    @discardableResult
    func appendAudit(_ record: AuditRecord) async throws -> AuditEntry
    /// Entries with sequence > `after`, oldest first, at most `limit`.
    func auditEntries(after: UInt64, limit: Int) async throws -> [AuditEntry]
    func recordSecurityEvent(_ event: SecurityEvent) async throws
    func securityEvents(limit: Int) async throws -> [SecurityEvent]
}

extension ServerStore {
    /// Verifies the whole audit chain, page by page.
    public func verifyAuditChain(pageSize: Int = 1000) async throws -> AuditChain.Verification {
        var all: [AuditEntry] = []
        var after: UInt64 = 0
        while true {
            let page = try await auditEntries(after: after, limit: pageSize)
            all.append(contentsOf: page)
            guard let last = page.last, page.count == pageSize else { break }
            after = last.sequence
        }
        return AuditChain.verify(all)
    }
}

/// Why the store refused a change.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case enrollment(EnrollmentRefusal)
    /// The stored data broke an invariant (a row that cannot be read back).
    case corrupt(String)
    case closed

    public var description: String {
        switch self {
        case let .notFound(what): return "\(what) not found"
        case let .conflict(what): return what
        case let .enrollment(refusal): return refusal.description
        case let .corrupt(what): return "stored data is corrupt: \(what)"
        case .closed: return "the store is closed"
        }
    }
}

/// Why an enrolment was refused.
public enum EnrollmentRefusal: Hashable, Sendable, CustomStringConvertible {
    case unknownToken
    case tokenUsed(at: Timestamp, by: DeviceID?)
    case tokenExpired(at: Timestamp)
    case deviceAlreadyEnrolled(DeviceID)

    public var description: String {
        switch self {
        case .unknownToken: return "not a valid enrolment token"
        case let .tokenUsed(at, by): return "this enrolment token was already used (at \(TimeText.iso8601(at))\(by.map { " by device \($0)" } ?? ""))"
        case let .tokenExpired(at): return "this enrolment token expired at \(TimeText.iso8601(at))"
        case let .deviceAlreadyEnrolled(id): return "device \(id) is already enrolled"
        }
    }
}
