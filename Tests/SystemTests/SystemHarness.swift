import AsyncHTTPClient
import DeviceAgent
import NIOCore
import NIOSSL
import Foundation
import Glibc
import ModbusIO
import Protocol
import Testing
import TestSupport

/// A whole Imprimatur on loopback, as real processes: `imprimatur-server serve`, the simulated
/// copier, and an enrolled `imprimatur-agent run`, set up with the CLIs a person would use.
final class SystemHarness: @unchecked Sendable {
    let directory: TemporaryDirectory
    let data: String
    let server: String
    let agentBinary: String
    let simulatorBinary: String
    var serverProcess: ChildProcess?
    var serverURL = ""
    var copier: ChildProcess?
    var copierModbus = 0
    var copierPanel = ""
    /// The copier's print port (docs/print-port.md) and the tray folder its prints land in.
    var copierPrint = 0
    var trayFolder = ""
    var agent: ChildProcess?
    var agentConfig = ""
    var apiToken = ""
    /// More `serve` options. By default the timeouts for clients that have not yet proved who
    /// they are are long: this process's scripted uplink clients run on the test pool, which
    /// the harness's own blocking calls (CLI runs, process waits) hold for seconds under the
    /// whole suite on two cores; with the server's default 10 s handshake deadline two uplink
    /// suites were cut off in CI. ConnectionTimeoutTests sets its own short ones.
    var serverArguments = ["--uplink-handshake-timeout-seconds", "300", "--request-head-timeout-seconds", "300"]
    /// Serve HTTPS/WSS with a CA made by `tls init`; the agent trusts only that CA.
    let tls: Bool

    init(tls: Bool = false) throws {
        self.tls = tls
        directory = try TemporaryDirectory("system")
        data = directory.appending("server")
        server = try BuildProducts.executable("imprimatur-server")
        agentBinary = try BuildProducts.executable("imprimatur-agent")
        simulatorBinary = try BuildProducts.executable("firmware-sim")
    }

    @discardableResult
    func serverCLI(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(server, arguments + ["--data", data])
        guard result.status == 0 else { throw ProcessFailure(description: "imprimatur-server \(arguments.joined(separator: " ")): \(result.error)") }
        return result.output
    }

    /// Users, prices, a quota, an API token, then the server itself.
    func setUpServer() throws {
        try serverCLI(["user", "add", "--name", "Alice", "--id", "alice", "--card", "0042", "--pin", "1234", "--role", "employee"])
        try serverCLI(["user", "add", "--name", "Ada Admin", "--id", "ada", "--role", "administrator"])
        try serverCLI(["price", "set", "--paper", "A4", "--colour", "--price", "20", "--currency", "EUR"])
        try serverCLI(["price", "set", "--paper", "A4", "--mono", "--price", "5", "--currency", "EUR"])
        try serverCLI(["quota", "set", "--user", "alice", "--limit", "30", "--unit", "pages"])
        apiToken = try serverCLI(["token", "create", "--user", "ada"]).trimmingCharacters(in: .whitespacesAndNewlines)
        if tls { try serverCLI(["tls", "init"]) }
        try startServer()
    }

    /// Starts the server; after the first start, on the same port, so the agent finds it again.
    func startServer() throws {
        let port = URL(string: serverURL)?.port ?? 0
        let process = try ChildProcess(server, ["serve", "--data", data, "--port", String(port)] + (tls ? ["--tls"] : []) + serverArguments)
        let line = try process.readLine(timeout: .seconds(20))
        guard let range = line.range(of: tls ? "https://" : "http://") else { throw ProcessFailure(description: "unexpected server line: \(line)") }
        serverURL = String(line[range.lowerBound...].prefix { !$0.isWhitespace })
        // Over TLS the server is named as in its certificate (SNI cannot carry an IP address).
        if tls { serverURL = serverURL.replacingOccurrences(of: "://127.0.0.1:", with: "://localhost:") }
        serverProcess = process
    }

    func stopServer() throws {
        serverProcess?.send(SIGTERM)
        let status = try serverProcess?.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "the server exits 0 on SIGTERM")
        serverProcess = nil
    }

    /// `extra`: more `copier serve` options (e.g. `--vendor-key` for firmware).
    func startCopier(_ extra: [String] = []) throws {
        let process = try ChildProcess(simulatorBinary, ["copier", "serve", "--modbus", "127.0.0.1:0", "--panel", "127.0.0.1:0",
                                                         "--state-dir", directory.appending("copier"), "--page-rate", "50",
                                                         "--print", "127.0.0.1:0"] + extra)
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(process.readLine(timeout: .seconds(15)).utf8)) as? [String: Any])
        copierModbus = try #require(ready["modbus"] as? Int)
        copierPanel = "127.0.0.1:\(try #require(ready["panel"] as? Int))"
        copierPrint = try #require(ready["print"] as? Int)
        trayFolder = try #require(ready["tray_folder"] as? String)
        copier = process
    }

    /// Enrols the agent with a token from the CLI, then starts it.
    func enrollAndStartAgent() throws {
        agentConfig = directory.appending("agent.toml")
        try """
        [server]
        url = "\(serverURL)"
        \(tls ? "ca_file = \"\(data)/tls/ca.pem\"" : "")
        [device]
        id = "copier-1"
        [copier]
        modbus = "127.0.0.1:\(copierModbus)"
        watchdog_ms = 2000
        print = "127.0.0.1:\(copierPrint)"
        scan_folder = "\(directory.appending("copier/scans"))"
        [state]
        dir = "\(directory.appending("agent"))"
        """.write(toFile: agentConfig, atomically: true, encoding: .utf8)
        let token = try serverCLI(["device", "token", "--name", "copier-1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let enrolled = try ChildProcess.run(agentBinary, ["enroll", "--config", agentConfig, "--token", token])
        guard enrolled.status == 0 else { throw ProcessFailure(description: "enroll: \(enrolled.error)") }
        try startAgent()
    }

    /// Enrols `id` as a copier device holding `key`, for a test that plays the device itself
    /// on the uplink (no agent process).
    func enrollScriptedDevice(_ id: DeviceID, key: SigningKey) async throws {
        let token = try serverCLI(["device", "token", "--name", id.value]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await Enrollment.enroll(server: serverURL, token: token, deviceID: id, publicKey: key.publicKey, model: "test", firmware: "1.0.0",
                                        resources: [(try ResourceID(id.value), .copier)], caFile: tls ? "\(data)/tls/ca.pem" : nil)
    }

    func startAgent() throws {
        let process = try ChildProcess(agentBinary, ["run", "--config", agentConfig])
        _ = try process.readLine(timeout: .seconds(15))
        agent = process
    }

    /// `imprimatur-agent tap|logout|status` as a person would type it; the JSON answer.
    func agentCLI(_ arguments: [String]) throws -> [String: Any] {
        let result = try ChildProcess.run(agentBinary, arguments + ["--config", agentConfig])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.error)")
    }

    func job(copies: Int, pages: Int, colour: Bool) throws -> [String: Any] {
        var arguments = ["copier", "job", "--panel", copierPanel, "--copies", String(copies), "--pages", String(pages)]
        if colour { arguments.append("--colour") }
        let result = try ChildProcess.run(simulatorBinary, arguments, timeout: .seconds(30))
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    /// `firmware-sim copier status`: the copier as its panel shows it.
    func copierStatus() throws -> [String: Any] {
        let result = try ChildProcess.run(simulatorBinary, ["copier", "status", "--panel", copierPanel])
        guard let status = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw ProcessFailure(description: "copier status: \(result.output) \(result.error)")
        }
        return status
    }

    /// GET an API route with the administrator's token.
    func api(_ path: String) async throws -> [String: Any] {
        try await api(path, token: apiToken)
    }

    /// Calls an API route with `token`; a POST sends `body` as JSON. The JSON answer; a status
    /// other than 2xx throws with the body.
    func api(_ path: String, token: String, method: String = "GET", body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: serverURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        var configuration = HTTPClient.Configuration()
        if tls {
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile("\(data)/tls/ca.pem"))
            configuration.tlsConfiguration = settings
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw ProcessFailure(description: "\(method) \(path): \(response.status.code) \(body)")
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
    }

    func stopAll() {
        for process in [agent, copier, serverProcess].compactMap({ $0 }) {
            process.send(SIGTERM)
            _ = try? process.waitForExit(timeout: .seconds(10))
        }
    }
}

func eventually(_ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    // Once more after the deadline: a starved task may wake only after it (see waitUntil).
    if (try? await condition()) == true { return }
    Issue.record("timed out waiting until \(what)")
    throw ProcessFailure(description: "timed out waiting until \(what)")
}

/// Blocking work (a child process awaited) on a thread of its own, off the test's pool: a
/// blocked pool thread could starve the polls that run beside it.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) -> Task<T, any Error> {
    Task {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A duration in whole milliseconds.
func milliseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
}
