import Foundation
import GRDB
import Protocol

/// The default store: one SQLite file through GRDB (a `DatabasePool`: WAL journal, readers in
/// parallel with the one writer, foreign keys enforced), migrated on open.
public final class SQLiteServerStore: ServerStore {
    public static let fileName = "server.sqlite"

    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) `<dataDirectory>/server.sqlite`; creates the directory with
    /// mode 0700 when it does not exist.
    public convenience init(dataDirectory: String) throws {
        try DataDirectory.create(dataDirectory)
        try self.init(path: dataDirectory + "/" + Self.fileName)
    }

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "imprimatur-server"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced at every commit, so an event batch the server has
            // acknowledged survives a power cut, not only a process crash; the agent drops what
            // is acknowledged (issue 13, docs/durability.md "Server"). One fsync per batch
            // transaction, not per event: the batch is the group commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets NORMAL on the writer when it turns WAL on, after `prepareDatabase`.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        self.path = path
        try SQLiteMigrations.migrator().migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func close() async throws {
        try pool.close()
    }

    public func serverID() async throws -> ServerID {
        let text = try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'server_id'")
        }
        guard let text, let id = try? ServerID(text) else { throw StoreError.corrupt("settings.server_id") }
        return id
    }

    // MARK: Helpers shared by the extensions

    /// Appends `record` to the audit chain inside the caller's transaction.
    @discardableResult
    static func insertAudit(_ record: AuditRecord, in db: Database) throws -> AuditEntry {
        let previous = try Row.fetchOne(db, sql: "SELECT * FROM audit_log ORDER BY sequence DESC LIMIT 1").map(SQLiteRows.auditEntry)
        let entry = AuditEntry.appending(record, after: previous)
        try db.execute(
            sql: """
            INSERT INTO audit_log (sequence, at, actor, source, action, target, details, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                Int64(entry.sequence), record.at.millisecondsSinceEpoch, record.actor, record.source, record.action,
                record.target, SQLiteRows.detailsJSON(record.details), Data(entry.previousHash.bytes), Data(entry.hash.bytes),
            ]
        )
        return entry
    }

    /// Throws `notFound` unless a change touched a row.
    static func requireChange(_ db: Database, _ what: @autoclosure () -> String) throws {
        if db.changesCount == 0 { throw StoreError.notFound(what()) }
    }
}

/// The data folder: created private to the server's user.
public enum DataDirectory {
    public static func create(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DataDirectoryError(path: path, reason: "exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DataDirectoryError(path: path, reason: "cannot be created: \(error.localizedDescription)")
        }
    }
}

public struct DataDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "data folder \(path) \(reason)" }
}
