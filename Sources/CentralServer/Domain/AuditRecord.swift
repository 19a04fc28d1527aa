import Protocol

/// One change a person made (SPEC G2), as the code that made it describes it. The store numbers
/// it and chains it (`AuditEntry`).
public struct AuditRecord: Hashable, Sendable {
    /// Who: `user:<id>` for an API token's owner, `cli:<unix user>` for the admin CLI,
    /// `enrolment:<token name>` for a device enrolling with a token.
    public let actor: String
    /// From where: the peer address for HTTP, `cli` for the admin CLI.
    public let source: String
    /// What, as `noun.verb`: `user.create`, `user.disable`, `price.set`, ...
    public let action: String
    /// What it was done to: `user:alice`, `device:copier-1`, `price:A4/colour/EUR`, ...
    public let target: String
    /// The new values, by name. Never a PIN, password or token.
    public let details: [String: String]
    public let at: Timestamp

    public init(actor: String, source: String, action: String, target: String, details: [String: String] = [:], at: Timestamp) {
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.details = details
        self.at = at
    }
}

/// Who is making a change and from where; the store turns it and a description of the change
/// into an `AuditRecord` in the same transaction as the change.
public struct AuditActor: Hashable, Sendable, CustomStringConvertible {
    public let actor: String
    public let source: String

    public init(actor: String, source: String) {
        self.actor = actor
        self.source = source
    }

    public static func user(_ id: UserID, from source: String) -> AuditActor { AuditActor(actor: "user:\(id)", source: source) }
    public static func cli(_ unixUser: String) -> AuditActor { AuditActor(actor: "cli:\(unixUser)", source: "cli") }

    public func record(_ action: String, target: String, details: [String: String] = [:], at: Timestamp) -> AuditRecord {
        AuditRecord(actor: actor, source: source, action: action, target: target, details: details, at: at)
    }

    public var description: String { "\(actor) from \(source)" }
}

/// An audit log entry as stored: the record, its number and its place in the hash chain.
public struct AuditEntry: Hashable, Sendable {
    /// 1, 2, 3, ... with no gaps.
    public let sequence: UInt64
    public let record: AuditRecord
    /// `hash` of entry `sequence - 1`; all zero for entry 1.
    public let previousHash: Hash32
    /// `AuditChain.hash(of:sequence:previousHash:)` as it was computed when the entry was written.
    public let hash: Hash32

    public init(sequence: UInt64, record: AuditRecord, previousHash: Hash32, hash: Hash32) {
        self.sequence = sequence
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The entry that follows `previous` (nil: the first entry), with its hash computed.
    public static func appending(_ record: AuditRecord, after previous: AuditEntry?) -> AuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let previousHash = previous?.hash ?? .zero
        return AuditEntry(
            sequence: sequence, record: record, previousHash: previousHash,
            hash: AuditChain.hash(of: record, sequence: sequence, previousHash: previousHash)
        )
    }
}
