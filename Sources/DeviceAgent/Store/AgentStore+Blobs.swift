import GRDB
import Protocol

/// A photo or scan as stored.
public struct StoredBlob: Hashable, Sendable {
    public let bytes: [UInt8]
    public let mediaType: MediaType
}

extension AgentStore {
    /// Stores `bytes` once under their SHA-256 and returns it; storing the same bytes again
    /// changes nothing. The file is durable before the row that names it is committed.
    @discardableResult
    public func putBlob(_ bytes: [UInt8], mediaType: MediaType) throws(AgentStoreError) -> Hash32 {
        guard bytes.count <= Self.maximumBlobSize else { throw .blobTooLarge(size: bytes.count, limit: Self.maximumBlobSize) }
        let hash = Hash32.sha256(bytes)
        let known = try read("look up blob \(hash.hex)") { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM blobs WHERE hash = ?", arguments: [blobValue(hash.bytes)]) ?? false
        }
        if known { return hash }
        guard !isClosed else { throw .closed }
        try BlobFiles.write(bytes, as: hash, in: blobDirectory)
        try write("record blob \(hash.hex)") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO blobs (hash, media_type, size, sent) VALUES (?, ?, ?, 0)",
                           arguments: [blobValue(hash.bytes), mediaType.value, bytes.count])
        }
        return hash
    }

    /// The blob named `hash`; nil when the store has none. Its bytes are checked against the
    /// name on every read: a mismatch or a missing file throws `damaged`.
    public func blob(_ hash: Hash32) throws(AgentStoreError) -> StoredBlob? {
        let stored = try read("look up blob \(hash.hex)") { db in
            try Row.fetchOne(db, sql: "SELECT media_type FROM blobs WHERE hash = ?", arguments: [blobValue(hash.bytes)])
        }
        guard let stored else { return nil }
        let text = try required(stored.text(0), table: "blobs", key: hash.hex, column: "media_type")
        guard let mediaType = try? MediaType(text) else {
            throw .damaged(.invalidRow(table: "blobs", key: hash.hex, problem: "media_type \(text) is not a media type"))
        }
        return StoredBlob(bytes: try BlobFiles.read(hash, in: blobDirectory), mediaType: mediaType)
    }

    /// Up to `limit` blobs not yet marked sent, oldest first.
    public func unsentBlobs(limit: Int) throws(AgentStoreError) -> [Hash32] {
        guard limit > 0 else { return [] }
        return try read("list unsent blobs") { db in
            try Row.fetchAll(db, sql: "SELECT hash FROM blobs WHERE sent = 0 ORDER BY id LIMIT ?", arguments: [limit]).map { row in
                let bytes = try required(row.bytes(0), table: "blobs", key: "?", column: "hash")
                return try required(try? Hash32(bytes: bytes), table: "blobs", key: Hex.encode(bytes), column: "hash")
            }
        }
    }

    /// Records that the server holds the blob. The blob stays stored.
    public func markBlobSent(_ hash: Hash32) throws(AgentStoreError) {
        try write("mark blob \(hash.hex) sent") { db in
            try db.execute(sql: "UPDATE blobs SET sent = 1 WHERE hash = ?", arguments: [blobValue(hash.bytes)])
            guard db.changesCount > 0 else { throw AgentStoreError.unknownBlob(hash) }
        }
    }

    /// Hashes every blob file, sent or not (the open-time check hashes only unsent ones); the
    /// first blob that is missing or changed throws `damaged`. Reads one blob at a time.
    public func verifyAllBlobs() throws(AgentStoreError) {
        var after: Int64 = 0
        while true {
            let rows = try read("list blobs") { db in
                try Row.fetchAll(db, sql: "SELECT id, hash, size FROM blobs WHERE id > ? ORDER BY id LIMIT 256", arguments: [after])
            }
            guard !rows.isEmpty else { return }
            for row in rows {
                after = try required(row.integer(0), table: "blobs", key: "?", column: "id")
                let bytes = try required(row.bytes(1), table: "blobs", key: "\(after)", column: "hash")
                let hash = try required(try? Hash32(bytes: bytes), table: "blobs", key: "\(after)", column: "hash")
                let size = try required(row.integer(2), table: "blobs", key: hash.hex, column: "size")
                try BlobFiles.check(hash, size: Int(clamping: size), in: blobDirectory, hashing: true)
            }
        }
    }
}
