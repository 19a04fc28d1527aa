import CentralServer
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 14, end to end with real processes: the server signs its audit head, the agent it
/// runs with receives it over the uplink, verifies it and keeps it across restarts; the kept
/// file checks the server's database (`audit verify --against`); and a server whose database
/// was rolled back behind what the agent keeps is refused, with a tamper alarm.
@Suite("Audit head kept by the agent", .serialized)
struct AuditHeadSystemTests {
    static func keptHead(_ system: SystemHarness) throws -> AuditAnchorFile? {
        let result = try ChildProcess.run(system.agentBinary, ["audit-head", "--config", system.agentConfig])
        guard result.status == 0 else { return nil }
        return try JSONDecoder().decode(AuditAnchorFile.self, from: Data(result.output.utf8))
    }

    static func serverHead(_ data: String) async throws -> (sequence: UInt64, hash: Hash32)? {
        let store = try SQLiteServerStore(dataDirectory: data)
        defer { Task { try? await store.close() } }
        return try await store.currentAuditHead()
    }

    @Test func theAgentKeepsTheSignedHeadAndARolledBackServerRaisesAnAlarm() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        system.serverArguments += ["--audit-head-interval-seconds", "1"]
        try system.setUpServer()
        try system.startCopier()
        try system.enrollAndStartAgent()

        // The head signed after enrolment reaches the agent, which keeps it.
        var kept: AuditAnchorFile?
        try await eventually("the agent keeps the server's audit head", timeout: .seconds(30)) {
            kept = try Self.keptHead(system)
            return kept != nil
        }
        let first = try #require(kept)
        let signedHead = try AuditAnchorFile.decode(first.json()).head
        let keys = try KeyDirectory(dataDirectory: system.data).load()
        #expect(try AuditAnchorFile.decode(first.json()).verify(publicKey: keys.current.publicKey) == signedHead)

        // Back up the server as it is now (stopped, so the copy is whole).
        try system.stopServer()
        let backup = system.directory.appending("backup")
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: system.data) where name.hasPrefix(SQLiteServerStore.fileName) {
            try FileManager.default.copyItem(atPath: system.data + "/" + name, toPath: backup + "/" + name)
        }
        try system.startServer()

        // A change while the agent is connected: the new head is pushed to it.
        try system.serverCLI(["user", "add", "--name", "Bea", "--id", "bea", "--card", "0043", "--role", "employee"])
        let current = try #require(try await Self.serverHead(system.data))
        #expect(current.sequence > first.sequence)
        try await eventually("the agent keeps the head with the new entry", timeout: .seconds(30)) {
            (try Self.keptHead(system)?.sequence ?? 0) >= current.sequence
        }
        let newer = try #require(try Self.keptHead(system))
        #expect(newer.sequence == current.sequence)
        #expect(newer.hash == current.hash.hex)

        // The agent's file checks the server's database.
        let anchor = system.directory.appending("anchor.json")
        #expect(try ChildProcess.run(system.agentBinary, ["audit-head", "--config", system.agentConfig, "--out", anchor]).status == 0)
        let verified = try ChildProcess.run(system.server, ["audit", "verify", "--data", system.data, "--against", anchor])
        #expect(verified.status == 0, "\(verified.error)")
        #expect(verified.output.contains("head at sequence \(newer.sequence) matches the anchor"), "\(verified.output)")

        // The server's database is put back to the backup: its audit log and heads go back.
        try system.stopServer()
        for name in try FileManager.default.contentsOfDirectory(atPath: system.data) where name.hasPrefix(SQLiteServerStore.fileName) {
            try FileManager.default.removeItem(atPath: system.data + "/" + name)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: backup) {
            try FileManager.default.copyItem(atPath: backup + "/" + name, toPath: system.data + "/" + name)
        }
        let rolledBack = try ChildProcess.run(system.server, ["audit", "verify", "--data", system.data, "--against", anchor])
        #expect(rolledBack.status == 3, "the agent's anchor catches the rollback: \(rolledBack.error)")
        #expect(rolledBack.error.contains("truncated"), "\(rolledBack.error)")
        try system.startServer()

        // The agent tells the server what it keeps; the server records that it is behind. The
        // older head it is sent is refused and the newer one stays.
        try await eventually("the server records that an agent keeps a newer head", timeout: .seconds(30)) {
            let store = try SQLiteServerStore(dataDirectory: system.data)
            defer { Task { try? await store.close() } }
            return try await store.securityEvents(limit: 100).contains { $0.kind == "audit chain behind an agent's anchor" && $0.deviceID?.value == "copier-1" }
        }
        try await eventually("the agent logs the alarm in its own event log, which reaches the server", timeout: .seconds(30)) {
            let store = try SQLiteServerStore(dataDirectory: system.data)
            defer { Task { try? await store.close() } }
            return try await store.events(device: try DeviceID("copier-1"), from: 1, limit: 10_000).contains { event in
                if case let .fault(fault) = event.body { return fault.component == "audit-head" && fault.message.contains("went back from entry \(newer.sequence)") }
                return false
            }
        }
        #expect(try Self.keptHead(system) == newer, "the newer head is kept, never replaced by an older one")
        system.agent?.send(SIGTERM)
        _ = try system.agent?.waitForExit(timeout: .seconds(10))
        #expect(system.agent?.standardError.contains("TAMPER ALARM") == true)
        system.agent = nil
    }
}
