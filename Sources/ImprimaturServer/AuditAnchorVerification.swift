import ArgumentParser
import CentralServer
import Foundation
import Protocol

/// `audit verify --against FILE` (issue 14): the whole chain recomputed from entry 1, then held
/// to a signed head kept outside the server (an agent's, or one an auditor downloaded).
/// Exits 0 when it matches; 1 when the chain is broken on its own; 2 when FILE cannot be read as
/// an anchor; 3 when the database does not match the anchor (changed or truncated); 4 when the
/// anchor's signature is not this server's.
enum AuditAnchorVerification {
    static func run(data: DataOptions, anchorPath: String) async throws {
        let signed: SignedAuditHead
        do {
            guard let bytes = FileManager.default.contents(atPath: anchorPath) else { throw CLIError("cannot read \(anchorPath)") }
            signed = try AuditAnchorFile.decode(bytes)
        } catch {
            printToStandardError("\(anchorPath): \(error)")
            throw ExitCode(2)
        }
        let outcome = try await reporting {
            let keys = try KeyDirectory(dataDirectory: data.data).load()
            let store = try data.openStore()
            let entries = try await allEntries(store)
            try await store.close()
            return AuditAnchorCheck.check(entries, against: signed, keys: keys.auditHeadKeys)
        }
        switch outcome {
        case .verified:
            print(outcome.description)
        case .chainBroken:
            printToStandardError(outcome.description)
            throw ExitCode(1)
        case .truncated, .changed:
            printToStandardError("NOT VERIFIED against \(anchorPath): \(outcome.description)")
            throw ExitCode(3)
        case .badAnchor:
            printToStandardError("NOT VERIFIED against \(anchorPath): \(outcome.description)")
            throw ExitCode(4)
        }
    }

    /// Every entry from 1, page by page.
    static func allEntries(_ store: SQLiteServerStore) async throws -> [AuditEntry] {
        var all: [AuditEntry] = []
        while true {
            let page = try await store.auditEntries(after: all.last?.sequence ?? 0, limit: 1000)
            guard !page.isEmpty else { return all }
            all += page
        }
    }
}
