import GRDB
import Protocol

/// The device's side of a bill check (SPEC C3, docs/bills.md): first confirm that its own data
/// was not altered, then select and hash its usage entries.
public struct UsageReport: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// The log re-read from disk passed every check; `entries` are its usage for the selection.
        case intact
        /// The stored data was changed; `sequence` is the event where, when the damage is in an event.
        case altered(sequence: UInt64?, reason: String)
    }

    public let verdict: Verdict
    /// In sequence order; empty when altered.
    public let entries: [UsageEntry]
    public let usageHash: Hash32
    /// The newest signed checkpoint the log was checked against (0 and the empty root before one).
    public let treeSize: UInt64
    public let root: Hash32
}

extension AgentStore {
    /// Re-reads and re-checks the whole store as at open (every event's bytes and hash, the
    /// chain, every signed checkpoint's signature and root, the recorded head), compares the
    /// Merkle root rebuilt from disk with the one kept in memory since the agent started, and
    /// collects the copy jobs `selection` names.
    public func usageReport(for selection: UsageSelection) throws(AgentStoreError) -> UsageReport {
        var check = IntegrityCheck(pool: pool, deviceID: deviceID, deviceKey: deviceKey, blobDirectory: blobDirectory, chunkSize: tuning.integrityChunkSize)
        check.usage = selection
        let checked: (chain: ChainState, entries: [UsageEntry])
        do {
            checked = try check.runCollecting()
        } catch let .damaged(damage) {
            return Self.altered(damage.sequence, damage.description)
        }
        let diskTree = checked.chain.tree
        let memoryRoot = chain.withLock { state in try? state.tree.root(atSize: diskTree.size) }
        if let memoryRoot, memoryRoot != diskTree.root {
            let first = chain.withLock { state -> UInt64? in
                for index in 0..<diskTree.size where (try? state.tree.leafHash(at: index)) != (try? diskTree.leafHash(at: index)) { return index + 1 }
                return nil
            }
            return Self.altered(first, "the stored events differ from the ones this agent wrote\(first.map { ", first at event \($0)" } ?? "")")
        }
        let latest = try latestCheckpoint()?.checkpoint
        return UsageReport(
            verdict: .intact, entries: checked.entries, usageHash: UsageHash.computeSorted(checked.entries),
            treeSize: latest?.treeSize ?? 0, root: latest?.root ?? MerkleHash.emptyRoot
        )
    }

    /// The device's public keys, newest signing key first: what its checkpoints verify under.
    public func devicePublicKeys() throws(AgentStoreError) -> [PublicKey] {
        let stored = try read("read the device keys") { db in
            try Row.fetchAll(db, sql: "SELECT public_key FROM device_keys").compactMap { row in row.bytes(0).flatMap { try? PublicKey(bytes: $0) } }
        }
        return [deviceKey.publicKey] + stored.filter { $0 != deviceKey.publicKey }
    }

    private static func altered(_ sequence: UInt64?, _ reason: String) -> UsageReport {
        UsageReport(verdict: .altered(sequence: sequence, reason: reason), entries: [], usageHash: .zero, treeSize: 0, root: .zero)
    }
}

extension StoreDamage {
    /// The event the damage is in, when it is in one.
    public var sequence: UInt64? {
        switch self {
        case let .eventUndecodable(sequence, _), let .eventHashMismatch(sequence), let .eventColumnMismatch(sequence, _):
            return sequence
        case let .eventMisnumbered(row, _):
            return row
        case let .chainBroken(chainBreak):
            return chainBreak.sequence
        case let .chainHeadMismatch(recorded, found):
            return min(recorded.sequence, found.sequence)
        default:
            return nil
        }
    }
}
