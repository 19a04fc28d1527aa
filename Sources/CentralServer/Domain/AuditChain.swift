import Protocol

/// The audit log's hash chain (SPEC G2), built like the device event chain (docs/events.md):
///
///     entry hash = SHA-256( "imprimatur-audit-v1" || previous hash || canonical entry bytes )
///
/// where the previous hash is 32 zero bytes for entry 1, and the canonical entry bytes are
/// (big-endian, lengths as `u32`, text as UTF-8):
///
///     u64 sequence, i64 at (ms), string<u32> actor, string<u32> source, string<u32> action,
///     string<u32> target, u32 detail count, then per detail sorted by key bytes:
///     string<u32> key, string<u32> value
///
/// Changing, removing, inserting or reordering an entry changes a hash that a later entry (or
/// the head an auditor noted) commits to, and `verify` names the first entry where that shows.
public enum AuditChain {
    public static let hashLabel = "imprimatur-audit-v1"

    public static func canonicalBytes(of record: AuditRecord, sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.u64(sequence)
        writer.i64(record.at.millisecondsSinceEpoch)
        for text in [record.actor, record.source, record.action, record.target] {
            writer.string(text, .u32)
        }
        let details = record.details.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        writer.u32(UInt32(details.count))
        for (key, value) in details {
            writer.string(key, .u32)
            writer.string(value, .u32)
        }
        return writer.bytes
    }

    public static func hash(of record: AuditRecord, sequence: UInt64, previousHash: Hash32) -> Hash32 {
        Hash32.sha256(Array(hashLabel.utf8) + previousHash.bytes + canonicalBytes(of: record, sequence: sequence))
    }

    /// Where the chain is broken.
    public struct Break: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: Hashable, Sendable, CustomStringConvertible {
            /// The entry's content no longer hashes to its stored hash: it was changed.
            case changed
            /// The entry's previous hash is not the stored hash of the entry before it: an
            /// entry before it was removed, inserted or re-hashed.
            case linkBroken
            /// The entry's number is not one more than the one before it: entries are missing
            /// (or were inserted) here.
            case outOfSequence(expected: UInt64)

            public var description: String {
                switch self {
                case .changed: return "its content was changed (hash does not match)"
                case .linkBroken: return "it does not link to the entry before it"
                case let .outOfSequence(expected): return "expected entry \(expected) here"
                }
            }
        }

        public let sequence: UInt64
        public let kind: Kind

        public var description: String { "audit entry \(sequence): \(kind)" }
    }

    public enum Verification: Hashable, Sendable, CustomStringConvertible {
        /// Every entry checks; `count` entries, `head` the last entry's hash (zero when empty).
        case intact(count: UInt64, head: Hash32)
        case broken(Break)

        public var description: String {
            switch self {
            case let .intact(count, head): return "intact: \(count) entries, head \(head)"
            case let .broken(chainBreak): return "broken at \(chainBreak)"
            }
        }
    }

    /// Checks `entries` (in stored order, from entry 1) and reports the first break.
    public static func verify(_ entries: [AuditEntry]) -> Verification {
        var expected: UInt64 = 1
        var previous = Hash32.zero
        for entry in entries {
            guard entry.sequence == expected else {
                return .broken(Break(sequence: entry.sequence, kind: .outOfSequence(expected: expected)))
            }
            guard hash(of: entry.record, sequence: entry.sequence, previousHash: entry.previousHash) == entry.hash else {
                return .broken(Break(sequence: entry.sequence, kind: .changed))
            }
            guard entry.previousHash == previous else {
                return .broken(Break(sequence: entry.sequence, kind: .linkBroken))
            }
            previous = entry.hash
            expected += 1
        }
        return .intact(count: expected - 1, head: previous)
    }
}
