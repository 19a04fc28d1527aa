import Protocol

/// The part of the store that keeps seal applications, their timelines and uses, revocations,
/// and the generic notification inbox and webhook outbox (SPEC E1-E8). Each change writes its
/// timeline steps, its notices (inbox rows, and an outbox row when a webhook is set) and its
/// audit record in the same transaction.
public protocol SealStore: Sendable {
    /// Stores a new application (`transition` from `SealWorkflow.submit`).
    func createSealApplication(_ transition: SealWorkflow.Transition, audit: AuditRecord) async throws
    /// Replaces the application with `transition.application` if it is still `expected` (else
    /// `StoreError.conflict`: someone acted meanwhile), appending steps, notices and the record.
    func updateSealApplication(_ transition: SealWorkflow.Transition, expected: SealApplication, audit: AuditRecord) async throws
    /// As `updateSealApplication`, and also puts every grant issued for the application that
    /// has not yet expired at `now` on the revocation list, raising its version. Returns the
    /// grants revoked.
    @discardableResult
    func revokeSealApplication(_ transition: SealWorkflow.Transition, expected: SealApplication, audit: AuditRecord, now: Timestamp) async throws -> [RevocationEntry]
    func sealApplication(id: ApplicationID) async throws -> SealApplication?
    /// Every application, newest first.
    func sealApplications() async throws -> [SealApplication]
    /// The timeline of an application, oldest first.
    func sealApplicationSteps(id: ApplicationID) async throws -> [SealApplicationStep]
    /// Recorded uses, oldest first.
    func sealUses(_ filter: SealUseFilter) async throws -> [SealUseRecord]

    /// The revocation list's version (0: nothing was ever revoked) and its entries still
    /// relevant at `now` (their grant has not expired).
    func revocations(now: Timestamp) async throws -> (version: UInt64, entries: [RevocationEntry])

    /// Sends `notices`: inbox rows per recipient, and an outbox row each when a webhook is set.
    func notify(_ notices: [Notice]) async throws
    /// `user`'s inbox, newest first.
    func inbox(user: UserID, unreadOnly: Bool, limit: Int) async throws -> [InboxItem]
    /// Marks one of `user`'s notices read; `StoreError.notFound` when it is not theirs.
    func markRead(_ id: Int64, user: UserID, at: Timestamp) async throws
    func webhook() async throws -> WebhookTarget?
    func setWebhook(_ target: WebhookTarget?, audit: AuditRecord) async throws
    /// Undelivered outbox items due at `now`, oldest first.
    func dueWebhooks(now: Timestamp, limit: Int) async throws -> [WebhookOutboxItem]
    func webhookOutbox(limit: Int) async throws -> [WebhookOutboxItem]
    func markWebhookDelivered(_ id: Int64, at: Timestamp) async throws
    func markWebhookFailed(_ id: Int64, attempts: Int, nextAttempt: Timestamp, error: String) async throws
}
