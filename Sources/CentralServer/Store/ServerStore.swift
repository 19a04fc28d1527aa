import Protocol

/// Where the server keeps its state. The domain and the HTTP layer talk only to this protocol,
/// so a PostgreSQL store can follow the SQLite one without touching them.
///
/// Rules every implementation keeps:
/// - every method that takes an `AuditRecord` writes it to the audit log in the same
///   transaction as the change: the change and its record exist together or not at all;
/// - the audit log and the ledger are append-only: nothing updates or deletes their rows;
/// - "not found" for a change is `StoreError.notFound`; a duplicate is `StoreError.conflict`.
public protocol ServerStore: DeviceLogStore, SealStore, SplitStore, WebStore, FirmwareStore, AuditHeadStore {
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
    func setUserRoles(_ id: UserID, roles: Set<Role>, audit: AuditRecord) async throws
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
    /// The entries `QuotaLedger.state` needs for `period`: standing `limit` and `overdraft`
    /// entries before its end and every entry in it, oldest first.
    func quotaEntries(userID: UserID, period: QuotaPeriod) async throws -> [LedgerEntry]

    /// The users with a limit, overdraft, payment or adjustment entry after ledger entry `id`,
    /// and the newest entry id: what the limit refresher pushes new limit grants for.
    func ledgerChanges(after id: Int64) async throws -> LedgerChanges
    /// The id of the newest ledger entry (0 for an empty ledger): where a reader of
    /// `ledgerChanges` that starts now begins.
    func latestLedgerID() async throws -> Int64

    // MARK: Payment-provider webhook

    /// The answer recorded for a webhook delivery with this idempotency key.
    func paymentWebhook(key: String) async throws -> WebhookAnswer?
    /// Records a delivery's answer and, for an accepted payment, its ledger entry, in one
    /// transaction; returns the recorded answer when the key was already there.
    func recordPaymentWebhook(key: String, bodyHash: Hash32, entry: LedgerEntry?, status: Int, answer: String, at: Timestamp) async throws -> WebhookAnswer
    func jobs(limit: Int) async throws -> [JobRecord]

    // Bills (docs/bills.md)
    /// The jobs of `users` that ended in `[start, end)`, each with its device event's bytes.
    func billJobs(users: [UserID], start: Timestamp, end: Timestamp) async throws -> [BillSourceJob]
    /// The Merkle leaf hashes of `device`'s events 1...`treeSize` (fewer if fewer are stored).
    func eventLeafHashes(device: DeviceID, upTo treeSize: UInt64) async throws -> [Hash32]
    /// Every stored checkpoint of `device`, smallest first.
    func checkpoints(device: DeviceID) async throws -> [SignedCheckpoint]
    /// Stores an issued bill with its JSON and audit entry; never updated afterwards.
    func storeBill(_ bill: Bill, json: String, issuedBy: String, audit: AuditRecord) async throws
    func nextBillNumber() async throws -> Int
    func bills(account: String?, limit: Int) async throws -> [BillSummary]
    func billJSON(id: String) async throws -> String?
    func charges(limit: Int) async throws -> [ChargeRecord]

    // MARK: Grants and PIN failures

    func recordIssuedGrants(_ grants: [IssuedGrant]) async throws
    func issuedGrants(userID: UserID?, limit: Int) async throws -> [IssuedGrant]
    /// The grant issued with `id`, nil when this server issued none (`GrantUseCheck`).
    func issuedGrant(id: GrantID) async throws -> IssuedGrant?
    /// One PIN check's turn, in one transaction: the user's wrong PINs since `userSince` and the
    /// device's since `deviceSince`; unless `locked` says they lock PIN entry, a wrong PIN is
    /// recorded at `at` before the PIN is compared (`PINCheck`), so parallel guesses each count.
    func claimPINAttempt(userID: UserID, deviceID: DeviceID, at: Timestamp, userSince: Timestamp, deviceSince: Timestamp,
                         locked: @Sendable (_ userFailures: [Timestamp], _ deviceFailures: [Timestamp]) -> Bool) async throws -> PINAttemptClaim
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
    /// The newest integrity alerts (`SecurityAlerts`) since `since`, however many other events
    /// came after them: a flood of other events must not push them out of view (issue 21).
    func securityAlerts(since: Timestamp, limit: Int) async throws -> [SecurityEvent]
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

/// Users whose limits changed in the ledger since an entry id.
public struct LedgerChanges: Hashable, Sendable {
    public let lastID: Int64
    public let users: Set<UserID>

    public init(lastID: Int64, users: Set<UserID>) {
        self.lastID = lastID
        self.users = users
    }
}

/// What the server answered a payment-provider webhook delivery, kept by its idempotency key so
/// that a duplicate gets the same answer and is counted once.
public struct WebhookAnswer: Hashable, Sendable {
    public let key: String
    public let bodyHash: Hash32
    public let ledgerID: Int64?
    public let status: Int
    /// The JSON body that was answered.
    public let answer: String
    /// True when this answer was recorded by an earlier delivery.
    public let duplicate: Bool

    public init(key: String, bodyHash: Hash32, ledgerID: Int64?, status: Int, answer: String, duplicate: Bool) {
        self.key = key
        self.bodyHash = bodyHash
        self.ledgerID = ledgerID
        self.status = status
        self.answer = answer
        self.duplicate = duplicate
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
    /// A copier or seal id another device already has: resource ids are unique on the server,
    /// because seal applications, grants and reports name a seal by its id alone (issue 21).
    case resourceAlreadyEnrolled(ResourceID, device: DeviceID)

    public var description: String {
        switch self {
        case .unknownToken: return "not a valid enrolment token"
        case let .tokenUsed(at, by): return "this enrolment token was already used (at \(TimeText.iso8601(at))\(by.map { " by device \($0)" } ?? ""))"
        case let .tokenExpired(at): return "this enrolment token expired at \(TimeText.iso8601(at))"
        case let .deviceAlreadyEnrolled(id): return "device \(id) is already enrolled"
        case let .resourceAlreadyEnrolled(resource, device):
            return "resource \(resource) is already enrolled on device \(device); a copier's or seal's id must be unique on this server"
        }
    }
}
