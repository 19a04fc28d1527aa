import Foundation
import GRDB
import Protocol

/// One append waiting for its batch to commit.
struct PendingAppend: Sendable {
    let body: EventBody
    let time: Timestamp
    /// Set by `appendJob`: the copier's job sequence to store as `lastSeen` with the event.
    let copierJobSequence: UInt32?
    let usage: LimitUsage?
    /// A session row written or closed with the event.
    let effect: AppendEffect
    let continuation: CheckedContinuation<Result<Event, AgentStoreError>, Never>
}

/// The appends not yet taken by the committer, and counters for the benchmark.
struct AppendQueue: Sendable {
    var pending: [PendingAppend] = []
    /// True while a drain is scheduled or running on the committer queue.
    var draining = false
    var closed = false
    var statistics = CommitStatistics()
}

/// How many transactions committed how many events since the store opened.
public struct CommitStatistics: Hashable, Sendable {
    public var transactions: Int = 0
    public var events: Int = 0

    /// Events per transaction: how well group commit shares the fsyncs.
    public var meanBatchSize: Double { transactions == 0 ? 0 : Double(events) / Double(transactions) }
}

/// What a copy job used of a user's limit grant, counted in the same transaction as the job's
/// event, so a crash can neither lose the usage nor count it twice.
public struct LimitUsage: Hashable, Sendable {
    public let user: UserID
    public let limitGrantID: GrantID
    /// In the limit grant's unit: pages, or minor currency units.
    public let amount: UInt64

    public init(user: UserID, limitGrantID: GrantID, amount: UInt64) {
        self.user = user
        self.limitGrantID = limitGrantID
        self.amount = amount
    }
}

extension AgentStore {
    /// Transactions and events committed by appends since the store opened.
    public var commitStatistics: CommitStatistics { appends.withLock { $0.statistics } }

    /// Queues an append and waits until the batch holding it has committed (or failed).
    func enqueue(_ body: EventBody, time: Timestamp, copierJobSequence: UInt32?, usage: LimitUsage?,
                 effect: AppendEffect = .none) async throws(AgentStoreError) -> Event {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Event, AgentStoreError>, Never>) in
            let request = PendingAppend(body: body, time: time, copierJobSequence: copierJobSequence, usage: usage, effect: effect,
                                        continuation: continuation)
            let accepted: Bool = appends.withLock { queue in
                if queue.closed { return false }
                queue.pending.append(request)
                if !queue.draining {
                    queue.draining = true
                    // Scheduled under the lock, so that `close` finds it on the queue.
                    committer.async { self.drain() }
                }
                return true
            }
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Commits batches until nothing is pending. Runs on `committer` only, so batches never
    /// overlap and each continues the chain the previous one left.
    private func drain() {
        var previousBatch = 0
        while true {
            linger(expecting: previousBatch)
            guard let batch = nextBatch() else { return }
            commit(batch)
            previousBatch = batch.count
        }
    }

    /// The callers of a batch of n, just resumed, usually append again within microseconds;
    /// taking the queue at once would commit the first one or two of them alone, and the rest
    /// in the next transaction. So after a batch of more than one, wait (at most
    /// `tuning.linger`) until as many are pending again. A lone writer never waits.
    private func linger(expecting count: Int) {
        guard count > 1 else { return }
        let deadline = DispatchTime.now() + tuning.linger
        while DispatchTime.now() < deadline {
            if appends.withLock({ $0.pending.count }) >= count { return }
            usleep(20)
        }
    }

    private func nextBatch() -> [PendingAppend]? {
        appends.withLock { queue in
            guard !queue.pending.isEmpty else {
                queue.draining = false
                return nil
            }
            let count = min(queue.pending.count, tuning.maximumBatchSize)
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            return batch
        }
    }

    private struct Prepared {
        let request: PendingAppend
        let event: Event
        let bytes: [UInt8]
        let hash: Hash32
        let leafHash: Hash32
    }

    /// Numbers and hashes the batch's events after the committed head, writes them with the
    /// new head (and any job sequence, usage and session row) in one transaction, then
    /// publishes them. A second event for a copier job already stored (or earlier in the batch)
    /// is refused with `duplicateCopierJob` and takes no place in the chain: whoever reads a
    /// job twice records it once.
    private func commit(_ batch: [PendingAppend]) {
        let start = chain.withLock { ($0.head?.sequence ?? 0, $0.headHash) }
        let outcome: (prepared: [Prepared], refused: [(PendingAppend, AgentStoreError)], head: Hash32)
        do throws(AgentStoreError) {
            // Not `write`: appends queued before `close` still commit while it waits for them.
            outcome = try Self.wrap("append \(batch.count) event(s)") {
                try pool.write { db in
                    let outcome = try prepare(batch, after: start, in: db)
                    if !outcome.prepared.isEmpty { try Self.insert(outcome.prepared, into: db) }
                    return outcome
                }
            }
        } catch {
            for request in batch { request.continuation.resume(returning: .failure(error)) }
            return
        }
        for (request, error) in outcome.refused { request.continuation.resume(returning: .failure(error)) }
        let prepared = outcome.prepared
        guard !prepared.isEmpty else { return }
        chain.withLock { state in
            for item in prepared { state.tree.append(leafHash: item.leafHash) }
            state.head = prepared.last?.event
            state.headHash = outcome.head
        }
        appends.withLock { queue in
            queue.statistics.transactions += 1
            queue.statistics.events += prepared.count
        }
        for item in prepared { item.request.continuation.resume(returning: .success(item.event)) }
    }

    /// The batch's events, numbered and chained after `start`, less the refused ones.
    private func prepare(_ batch: [PendingAppend], after start: (UInt64, Hash32), in db: Database) throws
        -> (prepared: [Prepared], refused: [(PendingAppend, AgentStoreError)], head: Hash32) {
        var (sequence, previousHash) = start
        var prepared: [Prepared] = []
        var refused: [(PendingAppend, AgentStoreError)] = []
        var keysInBatch = Set<RecordKey>()
        prepared.reserveCapacity(batch.count)
        for request in batch {
            if let key = RecordKey(request.body) {
                if try keysInBatch.contains(key) || key.isStored(in: db) {
                    refused.append((request, key.duplicate))
                    continue
                }
                keysInBatch.insert(key)
            }
            switch makeEvent(request, after: sequence, previousHash: previousHash) {
            case let .success(item):
                prepared.append(item)
                sequence = item.event.sequence
                previousHash = item.hash
            case let .failure(error):
                refused.append((request, error))
            }
        }
        return (prepared, refused, previousHash)
    }

    private func makeEvent(_ request: PendingAppend, after sequence: UInt64, previousHash: Hash32) -> Result<Prepared, AgentStoreError> {
        guard sequence < UInt64.max else { return .failure(.invalid(what: "event", reason: "the chain is full")) }
        let event: Event
        do {
            event = try Event(deviceID: deviceID, sequence: sequence + 1, previousHash: previousHash, time: request.time, body: request.body)
        } catch {
            return .failure(.invalid(what: "event", reason: "\(error)"))
        }
        let bytes = event.wireBytes()
        // Never store what could not be read back: a value built in code can still hold
        // something with no canonical encoding (a negative time, say).
        do {
            guard try Event(wireBytes: bytes) == event else {
                return .failure(.invalid(what: "event", reason: "its bytes decode to another event"))
            }
        } catch {
            return .failure(.invalid(what: "event", reason: "its bytes would not decode: \(error)"))
        }
        return .success(Prepared(request: request, event: event, bytes: bytes,
                                 hash: Event.hash(canonicalBytes: bytes), leafHash: MerkleHash.leaf(bytes)))
    }

    private static func insert(_ prepared: [Prepared], into db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO events (sequence, time, kind, hash, bytes) VALUES (?, ?, ?, ?, ?)")
        for item in prepared {
            try insert.execute(arguments: [
                storedBits(item.event.sequence), item.event.time.millisecondsSinceEpoch,
                Int64(item.event.body.kind.rawValue), blobValue(item.hash.bytes), blobValue(item.bytes),
            ])
        }
        if let last = prepared.last {
            try db.execute(sql: "UPDATE agent_state SET head_sequence = ?, head_hash = ? WHERE id = 1",
                           arguments: [storedBits(last.event.sequence), blobValue(last.hash.bytes)])
        }
        if let job = prepared.last(where: { $0.request.copierJobSequence != nil })?.request.copierJobSequence {
            try db.execute(sql: "UPDATE agent_state SET last_seen_job = ? WHERE id = 1", arguments: [Int64(job)])
        }
        for usage in prepared.compactMap(\.request.usage) {
            try addUsage(usage, in: db)
        }
        for item in prepared {
            try apply(item.request.effect, body: item.request.body, event: item.event, in: db)
        }
    }
}
