import Protocol

/// Where the server keeps the audit heads it signed (issue 14): append-only, newest last.
public protocol AuditHeadStore: Sendable {
    /// The newest audit entry's sequence and hash; nil while the audit log is empty.
    func currentAuditHead() async throws -> (sequence: UInt64, hash: Hash32)?
    /// Appends a signed head.
    func appendSignedAuditHead(_ signed: SignedAuditHead) async throws
    /// The newest signed head; nil before the first.
    func latestSignedAuditHead() async throws -> SignedAuditHead?
}
