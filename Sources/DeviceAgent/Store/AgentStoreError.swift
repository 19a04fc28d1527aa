import Protocol

/// Why the agent's store refused or failed an operation.
public enum AgentStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The store's contents are not what the store wrote: found at open or when reading. The
    /// store never repairs damage; it reports it, and keeps reporting it.
    case damaged(StoreDamage)
    /// An acknowledgement for events the store does not have.
    case ackBeyondEnd(ack: UInt64, last: UInt64)
    /// SQLite failed; `operation` says what the store was doing.
    case sqlite(operation: String, message: String)
    /// Reading or writing a blob file failed.
    case blobFile(operation: String, path: String, errno: Int32)
    /// A blob larger than `AgentStore.maximumBlobSize`.
    case blobTooLarge(size: Int, limit: Int)
    /// The store was opened for another device than the one that wrote it.
    case wrongDevice(stored: DeviceID, given: DeviceID)
    /// A value the store will not keep: an event or checkpoint whose bytes would not decode
    /// again, a token that does not decode or is for another user or device.
    case invalid(what: String, reason: String)
    /// A blob the store does not hold.
    case unknownBlob(Hash32)
    /// Every session tag up to `UInt32.max` has been handed out.
    case sessionTagsExhausted
    /// A Merkle proof about events the store does not have.
    case proof(MerkleTreeError)
    /// An event for a copier job the store already holds (the same session tag and job number).
    case duplicateCopierJob(sessionTag: UInt64, sequence: UInt32)
    /// A seal use already stored: the same grant's use number again (a resent stamp report).
    case duplicateSealUse(grantID: GrantID, useNumber: UInt32)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case let .damaged(damage):
            return "agent store damaged: \(damage)"
        case let .ackBeyondEnd(ack, last):
            return "acknowledgement up to event \(ack) is beyond the last event \(last)"
        case let .sqlite(operation, message):
            return "SQLite failed to \(operation): \(message)"
        case let .blobFile(operation, path, code):
            return "cannot \(operation) blob file \(path): errno \(code)"
        case let .blobTooLarge(size, limit):
            return "blob of \(size) bytes is larger than the limit of \(limit) bytes"
        case let .wrongDevice(stored, given):
            return "the store belongs to device \(stored), not to \(given)"
        case let .invalid(what, reason):
            return "cannot store the \(what): \(reason)"
        case let .unknownBlob(hash):
            return "no blob \(hash.hex) in the store"
        case .sessionTagsExhausted:
            return "every session tag up to \(UInt32.max) has been used"
        case let .proof(error):
            return "no proof: \(error)"
        case let .duplicateCopierJob(tag, sequence):
            return "copier job \(sequence) of session \(tag) is already stored"
        case let .duplicateSealUse(grant, number):
            return "seal use \(number) under grant \(grant) is already stored"
        case .closed:
            return "the agent store is closed"
        }
    }
}

/// What is damaged in the store, and where: the table, and the event sequence number,
/// checkpoint row, blob hash or row key.
public enum StoreDamage: Hashable, Sendable, CustomStringConvertible {
    /// The stored bytes of event `sequence` do not decode as an event.
    case eventUndecodable(sequence: UInt64, WireError)
    /// The row keyed `row` holds the bytes of event `encoded`.
    case eventMisnumbered(row: UInt64, encoded: UInt64)
    /// The stored hash of event `sequence` is not the hash of its stored bytes.
    case eventHashMismatch(sequence: UInt64)
    /// A column kept beside the bytes of event `sequence` (`time`, `kind`) disagrees with them.
    case eventColumnMismatch(sequence: UInt64, column: String)
    /// The events break the hash chain (a gap, a changed event, another device's event).
    case chainBroken(ChainBreak)
    /// The chain head recorded with the last append is not the last stored event: events were
    /// removed from the end, added after it, or the last one was changed.
    case chainHeadMismatch(recorded: ChainAnchor, found: ChainAnchor)
    /// The stored checkpoint in row `row` does not hold.
    case checkpoint(row: Int64, CheckpointDamage)
    /// The server has acknowledged more events than the store holds.
    case acknowledgedBeyondHead(acknowledged: UInt64, head: UInt64)
    /// The blob's file is gone.
    case blobMissing(Hash32)
    /// The blob's file has another size than the one recorded.
    case blobSizeMismatch(Hash32, recorded: Int, found: Int)
    /// The blob's bytes no longer hash to its name.
    case blobHashMismatch(Hash32, found: Hash32)
    /// A row of one of the small tables (keys, tokens, state) that the store cannot read.
    case invalidRow(table: String, key: String, problem: String)

    /// The table where the damage is.
    public var table: String {
        switch self {
        case .eventUndecodable, .eventMisnumbered, .eventHashMismatch, .eventColumnMismatch, .chainBroken:
            return "events"
        case .chainHeadMismatch, .acknowledgedBeyondHead:
            return "agent_state"
        case .checkpoint:
            return "checkpoints"
        case .blobMissing, .blobSizeMismatch, .blobHashMismatch:
            return "blobs"
        case let .invalidRow(table, _, _):
            return table
        }
    }

    public var description: String {
        let place = "table \(table)"
        switch self {
        case let .eventUndecodable(sequence, error):
            return "\(place), event \(sequence): the stored bytes do not decode: \(error)"
        case let .eventMisnumbered(row, encoded):
            return "\(place), event \(row): the row holds the bytes of event \(encoded)"
        case let .eventHashMismatch(sequence):
            return "\(place), event \(sequence): the stored hash is not the hash of the stored bytes"
        case let .eventColumnMismatch(sequence, column):
            return "\(place), event \(sequence): column \(column) disagrees with the stored bytes"
        case let .chainBroken(chainBreak):
            return "\(place): the hash chain is broken at \(chainBreak)"
        case let .chainHeadMismatch(recorded, found):
            return "\(place): the recorded chain head is \(recorded), the stored events end at \(found)"
        case let .checkpoint(row, damage):
            return "\(place), row \(row): \(damage)"
        case let .acknowledgedBeyondHead(acknowledged, head):
            return "\(place): events up to \(acknowledged) are acknowledged, but the chain ends at \(head)"
        case let .blobMissing(hash):
            return "\(place), blob \(hash.hex): the file is missing"
        case let .blobSizeMismatch(hash, recorded, found):
            return "\(place), blob \(hash.hex): the file has \(found) bytes, \(recorded) were stored"
        case let .blobHashMismatch(hash, found):
            return "\(place), blob \(hash.hex): the file's bytes hash to \(found.hex)"
        case let .invalidRow(_, key, problem):
            return "\(place), row \(key): \(problem)"
        }
    }
}

/// How a stored checkpoint fails to hold.
public enum CheckpointDamage: Hashable, Sendable, CustomStringConvertible {
    /// The stored bytes do not decode as a signed checkpoint.
    case undecodable(WireError)
    /// The `tree_size` column disagrees with the checkpoint's bytes.
    case treeSizeColumnMismatch(column: UInt64, encoded: UInt64)
    /// The checkpoint names a device key the store has never held.
    case unknownKey(KeyID)
    /// The signature (or the device id) does not verify.
    case signature(CheckpointError)
    /// It covers more events than the store holds.
    case beyondLog(treeSize: UInt64, events: UInt64)
    /// Its root is not the Merkle root of the stored events at its size.
    case rootMismatch(treeSize: UInt64)
    /// It covers fewer events than the checkpoint stored before it.
    case shrank(from: UInt64, to: UInt64)

    public var description: String {
        switch self {
        case let .undecodable(error):
            return "the stored bytes do not decode: \(error)"
        case let .treeSizeColumnMismatch(column, encoded):
            return "column tree_size is \(column), the checkpoint says \(encoded)"
        case let .unknownKey(keyID):
            return "signed by key \(keyID), which is not one of this device's keys"
        case let .signature(error):
            return "\(error)"
        case let .beyondLog(treeSize, events):
            return "covers \(treeSize) events, the store holds \(events)"
        case let .rootMismatch(treeSize):
            return "its root is not the Merkle root of the stored events 1...\(treeSize)"
        case let .shrank(from, to):
            return "covers \(to) events, fewer than the \(from) of the checkpoint before it"
        }
    }
}
