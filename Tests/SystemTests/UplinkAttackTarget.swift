import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// A real server under attack on its uplink (issue 14), with what every attack is judged by:
/// the process is still up, an honest enrolled device is still served, and the rows in its
/// SQLite and the files in its blob folder are what they were before (security events aside:
/// those are what an attack should leave; and limit grants, see `stored`).
final class UplinkAttackTarget: @unchecked Sendable {
    let system: SystemHarness
    let uplink: String
    let port: Int
    let honest: (id: DeviceID, key: SigningKey)

    /// `handshakeTimeout`: the server's deadline for clients that have not proved who they are
    /// (the harness's long default when nil).
    init(handshakeTimeout: Int? = nil) async throws {
        system = try SystemHarness()
        honest = (try DeviceID("copier-1"), SigningKey())
        if let handshakeTimeout {
            system.serverArguments = ["--uplink-handshake-timeout-seconds", String(handshakeTimeout), "--request-head-timeout-seconds", "300"]
        }
        try system.setUpServer()
        uplink = AgentService.uplinkURL(system.serverURL)
        port = try #require(URL(string: system.serverURL)?.port)
        try await system.enrollScriptedDevice(honest.id, key: honest.key)
    }

    func stop() { system.stopAll() }

    var serverPID: Int32 { system.serverProcess?.processIdentifier ?? -1 }

    /// The server process exists and is not a zombie.
    var serverIsRunning: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(serverPID)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// The server's open file descriptors.
    var serverDescriptors: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(serverPID)/fd").count) ?? -1 }

    /// Rows per table, every table but the security events, read with the sqlite3 tool while the
    /// server runs (WAL: a reader beside the writer), plus the files under the blob folder.
    func stored() throws -> [String: Int] {
        let database = system.data + "/server.sqlite"
        let tables = try sqlite(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'security_events' ORDER BY name")
            .split(separator: "\n").map(String.init)
        // Limit grants are issued (and recorded) on every accepted authentication, the honest
        // device's checks and the attacker's own enrolled device's included: service, not the
        // attack. Access grants (what a copy is made with) count.
        let counts = try sqlite(database, tables.map { table in
            table == "grants_issued" ? "SELECT 'grants_issued (access)', count(*) FROM grants_issued WHERE kind = 'access'"
                : "SELECT '\(table)', count(*) FROM \"\(table)\""
        }.joined(separator: " UNION ALL "))
        var rows: [String: Int] = [:]
        for line in counts.split(separator: "\n") {
            let fields = line.split(separator: "|")
            if fields.count == 2 { rows[String(fields[0])] = Int(fields[1]) }
        }
        let blobs = FileManager.default.enumerator(atPath: system.data + "/blobs")?.allObjects.count ?? 0
        rows["files under blobs/"] = blobs
        return rows
    }

    private func sqlite(_ database: String, _ query: String) throws -> String {
        let result = try ChildProcess.run("/usr/bin/sqlite3", ["-cmd", ".timeout 5000", database, query])
        guard result.status == 0 else { throw ProcessFailure(description: "sqlite3: \(result.error)") }
        return result.output
    }

    /// The rows and files that differ from `before`, as "table: before → now".
    func changes(since before: [String: Int]) throws -> [String] {
        let now = try stored()
        return Set(before.keys).union(now.keys).sorted().compactMap { table in
            before[table] == now[table] ? nil : "\(table): \(before[table] ?? 0) → \(now[table] ?? 0)"
        }
    }

    /// The honest device authenticates and its ping is answered, within `timeout`; what went
    /// wrong otherwise.
    func honestDeviceServed(within timeout: Duration = .seconds(10)) async -> String? {
        let honest = honest
        let outcome = await withTaskGroup(of: String?.self) { group in
            group.addTask { [uplink] in
                do {
                    // The script returns only once the pong came; a refusal or a close throws.
                    try await UplinkScript.session(uplink) { connection in
                        try await connection.authenticate(honest.id, key: honest.key)
                        try await connection.send(UplinkFrame(.ping(UplinkMessage.Ping(nonce: 7, senderTime: Timestamp(secondsSinceEpoch: 1_800_000_000)))))
                        while true {
                            if case .pong = try await connection.next().message { break }
                        }
                    }
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            group.addTask { try? await Task.sleep(for: timeout); return "no answer within \(timeout)" }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return outcome
    }

    /// The checks after each attack: `what` names it in failures.
    func expectUnharmed(after what: String, rows before: [String: Int], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(serverIsRunning, "the server process died after \(what)", sourceLocation: sourceLocation)
        let problem = await honestDeviceServed()
        #expect(problem == nil, "after \(what), the honest device was not served: \(problem ?? "")", sourceLocation: sourceLocation)
        let changed = try changes(since: before)
        #expect(changed.isEmpty, "after \(what), rows or files were stored: \(changed)", sourceLocation: sourceLocation)
    }
}
