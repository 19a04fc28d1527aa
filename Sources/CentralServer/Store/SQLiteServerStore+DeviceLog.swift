import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func eventHead(device: DeviceID) async throws -> EventIngestion.Head? {
        try await pool.read { db in try Self.head(db, device: device) }
    }

    static func head(_ db: Database, device: DeviceID) throws -> EventIngestion.Head? {
        guard let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM device_events WHERE device_id = ? ORDER BY sequence DESC LIMIT 1",
                                         arguments: [device.value]) else { return nil }
        let sequence: Int64 = row["sequence"]
        let hash: Data = row["hash"]
        guard let value = try? Hash32(bytes: Array(hash)) else { throw StoreError.corrupt("device_events.hash of \(device) \(sequence)") }
        return EventIngestion.Head(sequence: UInt64(sequence), hash: value)
    }

    public func eventHashes(device: DeviceID, range: ClosedRange<UInt64>) async throws -> [UInt64: Hash32] {
        try await pool.read { db in
            var hashes: [UInt64: Hash32] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT sequence, hash FROM device_events WHERE device_id = ? AND sequence BETWEEN ? AND ?",
                                        arguments: [device.value, Int64(range.lowerBound), Int64(range.upperBound)])
            for row in rows {
                let sequence: Int64 = row["sequence"]
                let hash: Data = row["hash"]
                hashes[UInt64(sequence)] = try? Hash32(bytes: Array(hash))
            }
            return hashes
        }
    }

    @discardableResult
    public func appendEvents(device: DeviceID, expectedHead: EventIngestion.Head?, events: [Event], jobs: [IngestedJob], received: Timestamp) async throws -> Int {
        try await pool.write { db in
            guard try Self.head(db, device: device) == expectedHead else {
                throw StoreError.conflict("the events of \(device) changed while a batch was checked; send it again")
            }
            // Cached statements: a batch is thousands of inserts, and parsing each one's SQL anew
            // cost more than the inserts themselves.
            let insertEvent = try db.cachedStatement(
                sql: "INSERT INTO device_events (device_id, sequence, hash, previous_hash, at, kind, bytes, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            )
            for event in events {
                let bytes = event.wireBytes()
                try insertEvent.execute(arguments: [
                    device.value, Int64(event.sequence), Data(Event.hash(canonicalBytes: bytes).bytes), Data(event.previousHash.bytes),
                    event.time.millisecondsSinceEpoch, Int64(event.body.kind.rawValue), Data(bytes), received.millisecondsSinceEpoch,
                ])
            }
            try Self.ingestSealEvents(events, device: device, received: received, in: db)
            guard !jobs.isEmpty else { return 0 }
            let claimIdentity = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO copier_job_identities (device_id, session_id, copier_job_sequence, job_id) VALUES (?, ?, ?, ?)
                """)
            var repeated = 0
            let insertJob = try db.cachedStatement(sql: """
                INSERT INTO jobs (id, device_id, user_id, grant_id, paper_size, colour, pages, copies, duplex, started, ended,
                                  colour_pages, mono_pages, event_sequence, session_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertCharge = try db.cachedStatement(sql: "INSERT INTO charges (job_id, user_id, pages, amount, currency, at) VALUES (?, ?, ?, ?, ?, ?)")
            let insertLedger = try db.cachedStatement(
                sql: "INSERT INTO ledger (user_id, at, kind, pages, amount, currency, job_id, note, actor) VALUES (?, ?, 'use', ?, ?, ?, ?, ?, ?)"
            )
            for job in jobs {
                let copy = job.job
                // Exactly once per copier job, within the batch and across batches.
                try claimIdentity.execute(arguments: [device.value, Int64(bitPattern: copy.sessionID), Int64(copy.copierJobSequence), job.id])
                guard db.changesCount > 0 else {
                    repeated += 1
                    try db.execute(
                        sql: "INSERT INTO security_events (at, kind, device_id, user_id, detail) VALUES (?, ?, ?, ?, ?)",
                        arguments: [received.millisecondsSinceEpoch, "copy job repeated", device.value, copy.userID.value,
                                    "copier job \(copy.copierJobSequence) of session \(copy.sessionID) logged again as event \(job.eventSequence); not charged again"])
                    continue
                }
                try insertJob.execute(arguments: [
                    job.id, device.value, copy.userID.value, copy.grantID.description, Int64(copy.paperSize.rawValue),
                    copy.colourPages > 0 ? 1 : 0, Int64(copy.pages), Int64(copy.copies), copy.duplex ? 1 : 0,
                    copy.started.millisecondsSinceEpoch, copy.ended.millisecondsSinceEpoch,
                    Int64(copy.colourPages), Int64(copy.monoPages), Int64(job.eventSequence), Int64(copy.sessionID),
                ])
                try insertCharge.execute(arguments: [job.id, copy.userID.value, Int64(copy.pages), job.amount, job.currency?.code, copy.ended.millisecondsSinceEpoch])
                try insertLedger.execute(arguments: [
                    copy.userID.value, copy.ended.millisecondsSinceEpoch, Int64(copy.pages), job.amount, job.currency?.code,
                    job.id, "copy job \(copy.copierJobSequence) on \(device)", "device:\(device.value)",
                ])
            }
            return repeated
        }
    }

    public func events(device: DeviceID, from: UInt64, limit: Int) async throws -> [Event] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, bytes FROM device_events WHERE device_id = ? AND sequence >= ? ORDER BY sequence LIMIT ?",
                             arguments: [device.value, Int64(from), max(0, limit)]).map { row in
                let bytes: Data = row["bytes"]
                let sequence: Int64 = row["sequence"]
                guard let event = try? Event(wireBytes: Array(bytes)) else { throw StoreError.corrupt("device_events.bytes of \(device) \(sequence)") }
                return event
            }
        }
    }

    public func storeCheckpoint(_ checkpoint: SignedCheckpoint, received: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO device_checkpoints (device_id, tree_size, root, at, token, received) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [checkpoint.checkpoint.deviceID.value, Int64(checkpoint.checkpoint.treeSize), Data(checkpoint.checkpoint.root.bytes),
                            checkpoint.checkpoint.time.millisecondsSinceEpoch, Data(checkpoint.wireBytes()), received.millisecondsSinceEpoch]
            )
        }
    }

    public func latestCheckpoint(device: DeviceID) async throws -> SignedCheckpoint? {
        try await pool.read { db in
            guard let token = try Data.fetchOne(db, sql: "SELECT token FROM device_checkpoints WHERE device_id = ? ORDER BY tree_size DESC LIMIT 1",
                                                arguments: [device.value]) else { return nil }
            guard let checkpoint = try? SignedCheckpoint(wireBytes: Array(token)) else { throw StoreError.corrupt("device_checkpoints.token of \(device)") }
            return checkpoint
        }
    }

    public func blobProgress(_ hash: Hash32) async throws -> BlobProgress? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT received_bytes, complete FROM blobs WHERE hash = ?", arguments: [Data(hash.bytes)]) else { return nil }
            let complete: Int64 = row["complete"]
            let held: Int64 = row["received_bytes"]
            return complete == 1 ? .complete : .receiving(bytesHeld: UInt64(held))
        }
    }

    public func offerBlob(_ hash: Hash32, size: UInt64, mediaType: MediaType, device: DeviceID, at: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO blobs (hash, media_type, size, received_bytes, complete, device_id, created) VALUES (?, ?, ?, 0, 0, ?, ?)",
                arguments: [Data(hash.bytes), mediaType.value, Int64(size), device.value, at.millisecondsSinceEpoch]
            )
        }
    }

    public func setBlobProgress(_ hash: Hash32, bytesHeld: UInt64, complete: Bool) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE blobs SET received_bytes = ?, complete = ? WHERE hash = ?",
                           arguments: [Int64(bytesHeld), complete ? 1 : 0, Data(hash.bytes)])
        }
    }

    public func blobInfo(_ hash: Hash32) async throws -> (size: UInt64, mediaType: MediaType)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, media_type FROM blobs WHERE hash = ?", arguments: [Data(hash.bytes)]) else { return nil }
            let size: Int64 = row["size"]
            let text: String = row["media_type"]
            guard let mediaType = try? MediaType(text) else { throw StoreError.corrupt("blobs.media_type") }
            return (UInt64(size), mediaType)
        }
    }
}
