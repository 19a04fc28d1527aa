import Protocol

/// A web login session as stored: the SHA-256 of its id (the id itself is only in the
/// browser's cookie), its owner, its CSRF token, and when it was made and last used.
public struct WebSession: Hashable, Sendable {
    public let idHash: Hash32
    public let userID: UserID
    public let csrf: String
    public let source: String
    public let created: Timestamp
    public var lastSeen: Timestamp

    public init(idHash: Hash32, userID: UserID, csrf: String, source: String, created: Timestamp, lastSeen: Timestamp) {
        self.idHash = idHash
        self.userID = userID
        self.csrf = csrf
        self.source = source
        self.created = created
        self.lastSeen = lastSeen
    }
}

/// One scanned page of a copy job (SPEC A5), as its content event names it.
public struct JobContentPage: Hashable, Sendable {
    public let page: UInt32
    public let blobHash: Hash32
    public let mediaType: String
    public let size: UInt64
    /// Whether the server holds the whole image yet (uploads can lag the event).
    public let held: Bool
}

/// The part of the store the web pages add (issue 7): sessions, wrong-password counts, and the
/// reads their pages need that the REST API did not.
public protocol WebStore: Sendable {
    /// Stores a new session, with the login's audit record, in one transaction.
    func createWebSession(_ session: WebSession, audit: AuditRecord) async throws
    func webSession(idHash: Hash32) async throws -> WebSession?
    func touchWebSession(idHash: Hash32, at: Timestamp) async throws
    /// Ends a session (logout, or found expired: then `audit` is nil).
    func deleteWebSession(idHash: Hash32, audit: AuditRecord?) async throws

    /// Deletes the sessions last used at or before `lastSeenBy`, or made at or before
    /// `createdBy` (WebSessionSweeper); how many.
    func deleteExpiredWebSessions(lastSeenBy: Timestamp, createdBy: Timestamp) async throws -> Int
    /// Deletes wrong-password records older than `before` (they no longer count); how many.
    func deleteLoginFailures(before: Timestamp) async throws -> Int

    func recordLoginFailure(account: String, source: String, at: Timestamp) async throws
    func loginFailures(account: String, since: Timestamp) async throws -> [Timestamp]
    func loginFailures(source: String, since: Timestamp) async throws -> [Timestamp]
    /// Forgets an account's wrong passwords after a right one.
    func clearLoginFailures(account: String) async throws

    /// Fault events devices logged since `since`, newest first (the dashboard's "in fault").
    func recentFaults(since: Timestamp, limit: Int) async throws -> [DeviceFault]

    func job(id: String) async throws -> JobRecord?
    /// The scanned pages of a copy job, by page number; empty for a job with none (or a split part).
    func jobContent(jobID: String) async throws -> [JobContentPage]
}

/// A fault a device logged (a copier jam, a seal out of place, ...).
public struct DeviceFault: Hashable, Sendable {
    public let device: DeviceID
    public let at: Timestamp
    public let component: String
    public let code: UInt32
    public let message: String
}
