import Foundation
import GRDB
import Protocol
import TestSupport
import Testing
@testable import CentralServer
#if canImport(Glibc)
import Glibc
#endif

/// `imprimatur-server audit verify --against FILE` (issue 14), run as the built binary against
/// a data folder an attacker rewrote the way one with the database file would.
@Suite("audit verify --against")
struct AuditAnchorCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try ChildProcess.run(try BuildProducts.executable("imprimatur-server"), arguments, timeout: .seconds(30))
    }

    /// A data folder with four audit entries and the head signed over them, as an anchor file.
    static func anchoredServer() async throws -> (data: TemporaryDirectory, anchor: String, head: AuditHead) {
        let data = try TemporaryDirectory()
        for name in ["Ann", "Ben", "Cat", "Dan"] {
            let added = try run(["user", "add", "--data", data.path, "--name", name, "--card", "card-\(name)", "--role", "employee"])
            #expect(added.status == 0, "\(added.error)")
        }
        let services = try ServerServices.open(dataDirectory: data.path)
        let signed = try #require(try await AuditHeadSigner(services: services).signIfMoved())
        try await services.store.close()
        let anchor = data.path + "/anchor.json"
        try AuditAnchorFile(signed).json().write(to: URL(fileURLWithPath: anchor))
        return (data, anchor, signed.head)
    }

    /// What an attacker with write access to server.sqlite does: drop the append-only triggers,
    /// apply `edit` to the entries, and write them back with every hash recomputed, so the
    /// chain is consistent again.
    static func rewrite(_ data: TemporaryDirectory, _ edit: ([AuditEntry]) -> [AuditRecord]) throws {
        let queue = try DatabaseQueue(path: data.path + "/" + SQLiteServerStore.fileName)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_is_append_only_update; DROP TRIGGER audit_log_is_append_only_delete")
            let entries = try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY sequence").map(SQLiteRows.auditEntry)
            try db.execute(sql: "DELETE FROM audit_log")
            var previous: AuditEntry?
            for record in edit(entries) {
                let entry = AuditEntry.appending(record, after: previous)
                try db.execute(
                    sql: "INSERT INTO audit_log (sequence, at, actor, source, action, target, details, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [Int64(entry.sequence), record.at.millisecondsSinceEpoch, record.actor, record.source, record.action, record.target,
                                SQLiteRows.detailsJSON(record.details), Data(entry.previousHash.bytes), Data(entry.hash.bytes)]
                )
                previous = entry
            }
        }
        try queue.close()
    }

    @Test func theUntouchedDatabaseVerifiesAgainstItsAnchor() async throws {
        let (data, anchor, head) = try await Self.anchoredServer()
        let result = try Self.run(["audit", "verify", "--data", data.path, "--against", anchor])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("verified: \(head.sequence) entries, head at sequence \(head.sequence) matches the anchor signed at \(AuditAnchorFile.isoText(head.signedAt))"), "\(result.output)")
    }

    @Test func aWholeDatabaseRewritePassesTheInternalCheckButNotTheAnchor() async throws {
        let (data, anchor, head) = try await Self.anchoredServer()
        try Self.rewrite(data) { entries in
            entries.map { entry in
                let r = entry.record
                // Entry 2 said user Ben was added; now it says someone else was.
                guard entry.sequence == 2 else { return r }
                return AuditRecord(actor: r.actor, source: r.source, action: r.action, target: "user:mallory", details: r.details, at: r.at)
            }
        }
        let alone = try Self.run(["audit", "verify", "--data", data.path])
        #expect(alone.status == 0, "the rewritten chain is consistent on its own: \(alone.error)")
        #expect(alone.output.contains("intact"))

        let against = try Self.run(["audit", "verify", "--data", data.path, "--against", anchor])
        #expect(against.status == 3)
        #expect(against.error.contains("entry at sequence \(head.sequence) was changed"), "\(against.error)")
        #expect(against.error.contains(head.hash.hex))
    }

    @Test func aTruncatedDatabaseFailsAgainstTheAnchor() async throws {
        let (data, anchor, head) = try await Self.anchoredServer()
        try Self.rewrite(data) { entries in entries.dropLast().map(\.record) }
        #expect(try Self.run(["audit", "verify", "--data", data.path]).status == 0)
        let against = try Self.run(["audit", "verify", "--data", data.path, "--against", anchor])
        #expect(against.status == 3)
        #expect(against.error.contains("the chain is shorter than the anchor (truncated): \(head.sequence - 1) entries"), "\(against.error)")
    }

    @Test func anAnchorWhoseSignatureDoesNotVerifyIsRefused() async throws {
        let (data, anchor, _) = try await Self.anchoredServer()
        // The signature's last byte changed: the readable fields still agree with the token.
        var file = try JSONDecoder().decode(AuditAnchorFile.self, from: Data(contentsOf: URL(fileURLWithPath: anchor)))
        var token = try #require(Hex.decode(file.token))
        token[token.count - 1] ^= 0x01
        file.token = Hex.encode(token)
        let forged = data.path + "/forged.json"
        try file.json().write(to: URL(fileURLWithPath: forged))
        let result = try Self.run(["audit", "verify", "--data", data.path, "--against", forged])
        #expect(result.status == 4)
        #expect(result.error.contains("the signature does not verify"), "\(result.error)")

        // A head another server signed is no anchor for this one.
        let (other, otherAnchor, _) = try await Self.anchoredServer()
        _ = other
        let foreign = try Self.run(["audit", "verify", "--data", data.path, "--against", otherAnchor])
        #expect(foreign.status == 4)
        #expect(foreign.error.contains("not a key of this server"), "\(foreign.error)")

        let missing = try Self.run(["audit", "verify", "--data", data.path, "--against", data.path + "/none.json"])
        #expect(missing.status == 2)
    }

    /// `serve` signs the head when it starts and, when it moved meanwhile, once more at shutdown.
    @Test func serveSignsTheHeadAtStartAndAtShutdown() async throws {
        let data = try TemporaryDirectory()
        #expect(try Self.run(["user", "add", "--data", data.path, "--name", "Ann", "--card", "c1", "--role", "employee"]).status == 0)
        let server = try ChildProcess(try BuildProducts.executable("imprimatur-server"),
                                      ["serve", "--data", data.path, "--port", "0", "--audit-head-interval-seconds", "3600"])
        _ = try server.readLine(timeout: .seconds(30))
        let store = try SQLiteServerStore(dataDirectory: data.path)
        var started: SignedAuditHead?
        for _ in 0..<100 where started == nil {
            started = try await store.latestSignedAuditHead()
            if started == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(started?.head.sequence == 1)
        // A change while it runs (the CLI writes beside the server), then a graceful stop.
        #expect(try Self.run(["user", "add", "--data", data.path, "--name", "Ben", "--card", "c2", "--role", "employee"]).status == 0)
        server.send(SIGTERM)
        #expect(try server.waitForExit(timeout: .seconds(20)) == 0, "\(server.standardError)")
        let stopped = try await store.latestSignedAuditHead()
        #expect(stopped?.head.sequence == 2, "the head that moved after the last signing is signed at shutdown")
        try await store.close()
    }
}
