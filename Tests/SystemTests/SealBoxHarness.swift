import Foundation
import Glibc
import Testing
import TestSupport

/// The seal's whole path as real processes: the server (from `SystemHarness`), the simulated
/// USB seal (`firmware-sim seal serve`, a umockdev testbed) and a seal box's agent that sees it
/// through `umockdev-wrapper` and the testbed's UMOCKDEV_DIR. Alice applies, Arthur approves.
final class SealBoxHarness: @unchecked Sendable {
    let system: SystemHarness
    var seal: ChildProcess?
    var sealPanel = ""
    var umockdevDirectory = ""
    var agent: ChildProcess?
    var agentConfig = ""
    var aliceToken = ""
    var arthurToken = ""

    static let device = "seal-box-1"
    static let sealID = "seal-1"
    static let place = "HQ reception"

    init() throws {
        signal(SIGPIPE, SIG_IGN)
        system = try SystemHarness()
    }

    /// Users and tokens, the server, the box enrolled with its seal, the seal (with
    /// `sealArguments` added to `seal serve`), the agent.
    func start(sealArguments: [String] = []) async throws {
        try system.serverCLI(["user", "add", "--name", "Alice", "--id", "alice", "--card", "0042", "--pin", "1234", "--role", "employee"])
        try system.serverCLI(["user", "add", "--name", "Arthur", "--id", "arthur", "--role", "approver", "--role", "employee"])
        try system.serverCLI(["user", "add", "--name", "Ada Admin", "--id", "ada", "--role", "administrator"])
        aliceToken = try system.serverCLI(["token", "create", "--user", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        arthurToken = try system.serverCLI(["token", "create", "--user", "arthur"]).trimmingCharacters(in: .whitespacesAndNewlines)
        system.apiToken = try system.serverCLI(["token", "create", "--user", "ada"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try system.startServer()

        agentConfig = system.directory.appending("seal-box.toml")
        try """
        [server]
        url = "\(system.serverURL)"
        [device]
        id = "\(Self.device)"
        location = "\(Self.place)"
        [seal]
        id = "\(Self.sealID)"
        [state]
        dir = "\(system.directory.appending("seal-box"))"
        """.write(toFile: agentConfig, atomically: true, encoding: .utf8)
        let token = try system.serverCLI(["device", "token", "--name", Self.device]).trimmingCharacters(in: .whitespacesAndNewlines)
        let enrolled = try ChildProcess.run(system.agentBinary, ["enroll", "--config", agentConfig, "--token", token])
        guard enrolled.status == 0 else { throw ProcessFailure(description: "enroll: \(enrolled.error)") }

        try startSeal(trustedKey: try serverGrantKey(), extra: sealArguments)
        try startAgent()
        try await eventually("the agent sees the seal") { try self.agentStatus()["connected"] as? Bool == true }
    }

    /// The server's current grant-signing public key (`keys list`), which the seal is provisioned with.
    func serverGrantKey() throws -> String {
        let listing = try system.serverCLI(["keys", "list"])
        let line = try #require(listing.split(separator: "\n").first { $0.contains("current") }, "keys list: \(listing)")
        let key = try #require(line.split(separator: " ").last.map(String.init))
        try #require(key.count == 64 && key.allSatisfy(\.isHexDigit), "no public key in \(line)")
        return key
    }

    func startSeal(trustedKey: String, extra: [String] = []) throws {
        let process = try ChildProcess(system.simulatorBinary, [
            "seal", "serve", "--state-dir", system.directory.appending("seal"), "--panel", "127.0.0.1:0",
            "--serial", Self.sealID, "--device-id", Self.device, "--trusted-key", trustedKey,
        ] + extra)
        let line = try process.readLine(timeout: .seconds(30))
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "seal serve: \(line)")
        sealPanel = "127.0.0.1:\(try #require(ready["panel"] as? Int))"
        umockdevDirectory = try #require(ready["umockdev_dir"] as? String)
        seal = process
    }

    /// `umockdev-wrapper imprimatur-agent run` with the seal's testbed, as `make run` starts it.
    func startAgent() throws {
        let process = try ChildProcess("/usr/bin/umockdev-wrapper", [system.agentBinary, "run", "--config", agentConfig],
                                       environment: ["UMOCKDEV_DIR": umockdevDirectory])
        let line = try process.readLine(timeout: .seconds(20))
        #expect(line.contains(#""seal":"seal-1""#), "ready line: \(line)")
        agent = process
    }

    func agentCLI(_ arguments: [String]) throws -> (status: Int32, answer: [String: Any]) {
        let result = try ChildProcess.run(system.agentBinary, arguments + ["--config", agentConfig])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.error)")
        return (result.status, answer)
    }

    /// The seal part of `imprimatur-agent status`.
    func agentStatus() throws -> [String: Any] {
        try #require(try agentCLI(["status"]).answer["seal"] as? [String: Any])
    }

    /// `firmware-sim seal stamp|status` on the seal's front panel.
    func panel(_ command: String) throws -> [String: Any] {
        let result = try ChildProcess.run(system.simulatorBinary, ["seal", command, "--panel", sealPanel])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.error)")
    }

    func sealLocked() throws -> Bool { try panel("status")["locked"] as? Bool == true }

    /// Alice applies for `uses` stamps with Arthur as the one approver; Arthur approves. The id.
    func approvedApplication(uses: Int) async throws -> String {
        let applied = try await system.api("/api/v1/seal-applications", token: aliceToken, method: "POST", body: [
            "seal": Self.sealID, "reason": "Contract with ACME", "uses": uses, "photos": 0, "approvers": ["arthur"],
        ])
        let id = try #require(applied["id"] as? String)
        #expect(applied["status"] as? String == "pending")
        let approved = try await system.api("/api/v1/seal-applications/\(id)/approve", token: arthurToken, method: "POST", body: ["note": "fine"])
        #expect(approved["status"] as? String == "approved", "\(approved)")
        return id
    }

    func application(_ id: String) async throws -> [String: Any] {
        try await system.api("/api/v1/seal-applications/\(id)", token: aliceToken)
    }

    /// Alice taps her card at the seal's box for `application`.
    func tap(_ application: String) throws -> (status: Int32, answer: [String: Any]) {
        try agentCLI(["tap", "--card", "0042", "--pin", "1234", "--seal", "--application", application])
    }

    /// The agent before the seal: umockdev's preload aborts a client whose seal process dies
    /// while it has the device open.
    func stopAll() {
        if let agent {
            agent.send(SIGTERM)
            _ = try? agent.waitForExit(timeout: .seconds(10))
        }
        if let seal {
            seal.send(SIGTERM)
            _ = try? seal.waitForExit(timeout: .seconds(10))
        }
        system.stopAll()
    }
}
