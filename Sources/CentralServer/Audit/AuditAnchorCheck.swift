import Protocol

/// Checks an audit chain against a signed head kept outside the server (issue 14): first that
/// the chain is internally consistent (`AuditChain.verify`), then that the head was signed by
/// a key of this server and that the chain's entry at its sequence still has its hash. A
/// rewrite of the whole database passes the first check and fails the second.
public enum AuditAnchorCheck {
    public enum Outcome: Hashable, Sendable, CustomStringConvertible {
        /// `count` entries check; entry `head.sequence` has the anchored hash.
        case verified(count: UInt64, anchor: AuditHead)
        /// The chain does not check on its own (`AuditChain.verify`).
        case chainBroken(AuditChain.Break)
        /// The anchor's signature is not this server's.
        case badAnchor(AuditHeadError)
        /// The chain has fewer entries than the anchor's sequence: entries were removed.
        case truncated(count: UInt64, anchor: AuditHead)
        /// Entry `anchor.sequence` has another hash than was signed: it, or an entry before it
        /// (every hash commits to all before it), was changed and the chain recomputed.
        case changed(found: Hash32, anchor: AuditHead)

        public var isVerified: Bool {
            if case .verified = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case let .verified(count, anchor):
                return "verified: \(count) entries, head at sequence \(anchor.sequence) matches the anchor signed at \(AuditAnchorFile.isoText(anchor.signedAt)) by key \(anchor.keyID)"
            case let .chainBroken(chainBreak):
                return "the audit chain is broken: \(chainBreak)"
            case let .badAnchor(error):
                return "the anchor is not a head signed by this server: \(error)"
            case let .truncated(count, anchor):
                return "the chain is shorter than the anchor (truncated): \(count) entries, but entry \(anchor.sequence) was signed at \(AuditAnchorFile.isoText(anchor.signedAt))"
            case let .changed(found, anchor):
                return "entry at sequence \(anchor.sequence) was changed: it hashes to \(found), the anchor signed at \(AuditAnchorFile.isoText(anchor.signedAt)) says \(anchor.hash) (that entry or one before it was edited and the chain recomputed)"
            }
        }
    }

    /// `entries` in stored order from entry 1; `keys` the server's keys (current and retired).
    public static func check(_ entries: [AuditEntry], against signed: SignedAuditHead, keys: TrustedKeys) -> Outcome {
        let count: UInt64
        switch AuditChain.verify(entries) {
        case let .broken(chainBreak): return .chainBroken(chainBreak)
        case let .intact(intactCount, _): count = intactCount
        }
        let anchor: AuditHead
        do { anchor = try signed.verify(trustedKeys: keys) } catch { return .badAnchor(error) }
        guard anchor.sequence <= count else { return .truncated(count: count, anchor: anchor) }
        // Sequences are 1, 2, 3, ... without gaps once the chain verified.
        let entry = entries[Int(anchor.sequence - 1)]
        guard entry.hash == anchor.hash else { return .changed(found: entry.hash, anchor: anchor) }
        return .verified(count: count, anchor: anchor)
    }
}

extension ServerKeySet {
    /// Every key this server ever held, as the keys an audit head may be signed by: a retired
    /// key only for heads signed before it retired.
    public var auditHeadKeys: TrustedKeys {
        TrustedKeys(keys.map { TrustedKey($0.publicKey, validUntil: $0.retired) })
    }
}
