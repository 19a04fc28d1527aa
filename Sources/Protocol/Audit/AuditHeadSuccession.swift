/// What a keeper of audit heads (an agent) does with a newly received, signature-checked head
/// given the one it holds. The audit log only grows, so heads only move forward: a head that
/// goes back, or that names another hash for a sequence already anchored, means the server's
/// log was rolled back or rewritten (issue 14) and is a tamper alarm, never a replacement.
public enum AuditHeadSuccession: Hashable, Sendable {
    /// Newer than the one held (or the first): keep it instead.
    case advance
    /// The same entry and hash as the one held (a re-send, or a re-signing): keep the held one.
    case same
    /// Refused; the held head stays. `reason` says what differs.
    case alarm(reason: String)

    public static func decide(held: AuditHead?, received: AuditHead) -> AuditHeadSuccession {
        guard let held else { return .advance }
        if received.sequence > held.sequence { return .advance }
        if received.sequence < held.sequence {
            return .alarm(reason: "the server's audit head went back from entry \(held.sequence) (signed at \(held.signedAt)) to entry \(received.sequence): its audit log lost entries")
        }
        if received.hash != held.hash {
            return .alarm(reason: "the server's audit entry \(held.sequence) was anchored with hash \(held.hash) (signed at \(held.signedAt)), now \(received.hash): its audit log was rewritten")
        }
        return .same
    }
}
