import GRDB
import Protocol

/// The identity of a thing the device logs that must be logged once, whoever reads it twice:
/// a copier job (the session tag it ran under and the controller's job number) or a seal use
/// (its grant and its number under the grant). The committer refuses a second event with the
/// same key, in the store or in the same batch (docs/agent-store.md, "Crash-proof sessions").
///
/// A tag is never reused on a device and the job number is the controller's lifetime counter,
/// so a job read twice has the same key, and a controller whose counter restarted (replaced,
/// reset) still gives new keys: its jobs run under new tags. A seal opens a grant once and
/// numbers the uses from the grant's allowance, so a resent stamp report has the same key.
enum RecordKey: Hashable, Sendable {
    case copierJob(sessionTag: UInt64, sequence: UInt32)
    case sealUse(grantID: GrantID, useNumber: UInt32)

    /// The key of a copy job, part print or seal use event; nil for the other kinds.
    init?(_ body: EventBody) {
        switch body {
        case let .copyJob(job): self = .copierJob(sessionTag: job.sessionID, sequence: job.copierJobSequence)
        case let .partPrint(print): self = .copierJob(sessionTag: print.sessionID, sequence: print.copierJobSequence)
        case let .sealUse(use): self = .sealUse(grantID: use.grantID, useNumber: use.useNumber)
        default: return nil
        }
    }

    /// The error a second append with this key gets.
    var duplicate: AgentStoreError {
        switch self {
        case let .copierJob(tag, sequence): .duplicateCopierJob(sessionTag: tag, sequence: sequence)
        case let .sealUse(grant, number): .duplicateSealUse(grantID: grant, useNumber: number)
        }
    }

    func isStored(in db: Database) throws -> Bool {
        switch self {
        case let .copierJob(tag, sequence):
            try Bool.fetchOne(db, sql: "SELECT 1 FROM copier_jobs WHERE session_tag = ? AND sequence = ?",
                              arguments: [storedBits(tag), Int64(sequence)]) ?? false
        case let .sealUse(grant, number):
            try Bool.fetchOne(db, sql: "SELECT 1 FROM seal_uses WHERE grant_id = ? AND use_number = ?",
                              arguments: [blobValue(grant.bytes), Int64(number)]) ?? false
        }
    }

    /// Records the key with the event that holds it (in the event's transaction).
    func store(eventSequence: UInt64, in db: Database) throws {
        switch self {
        case let .copierJob(tag, sequence):
            try db.execute(sql: "INSERT INTO copier_jobs (session_tag, sequence, event_sequence) VALUES (?, ?, ?)",
                           arguments: [storedBits(tag), Int64(sequence), storedBits(eventSequence)])
        case let .sealUse(grant, number):
            try db.execute(sql: "INSERT INTO seal_uses (grant_id, use_number, event_sequence) VALUES (?, ?, ?)",
                           arguments: [blobValue(grant.bytes), Int64(number), storedBits(eventSequence)])
        }
    }
}
