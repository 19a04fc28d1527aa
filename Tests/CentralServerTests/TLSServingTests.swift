import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOSSL
import Protocol
import ServiceLifecycle
import TestSupport
import Testing
@testable import CentralServer

/// The real server, in process, behind real TLS on 127.0.0.1, and clients configured as the
/// agent is (`server.ca_file`: trust that CA and nothing else).
@Suite("TLS serving")
struct TLSServingTests {
    /// Serves `data` with `ServerTLS.serverBuilder` on 127.0.0.1 and a free port while `body` runs.
    static func withServer<T: Sendable>(data: String, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "tls-test")
        logger.logLevel = .warning
        var services = try ServerServices.open(dataDirectory: data, pinHashCost: 4, passwordHashCost: 4, logger: logger)
        // As `serve --tls` sets it.
        services.servedOverTLS = true
        let server = try ServerTLS.serverBuilder(wrapping: .http1(), dataDirectory: data)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = ServerRunner.application(services, host: "127.0.0.1", port: 0, server: server) { continuation.yield($0) }
        // No signal handlers in the test process; a graceful shutdown stops the server.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
            try await services.store.close()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await stop()
            throw ProcessFailure(description: "the TLS server did not start: \(String(describing: await running.result))")
        }
        do {
            let value = try await body(port)
            try await stop()
            return value
        } catch {
            try await stop()
            throw error
        }
    }

    /// GET `url` with the agent's client settings: trust roots as given, TLS 1.2 or newer.
    /// A refused handshake is retried by the client until `timeoutSeconds`, then reported; tests that
    /// expect a refusal use a short one.
    static func get(
        _ url: String, trusting roots: NIOSSLTrustRoots?, maximumVersion: TLSVersion? = nil, timeoutSeconds: Int64 = 10
    ) async throws -> (status: Int, body: String) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let roots { tls.trustRoots = roots }
        if let maximumVersion { tls.maximumTLSVersion = maximumVersion }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(timeoutSeconds))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return (Int(response.status.code), String(buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// What the agent does with `server.ca_file` (UplinkClient, Enrollment).
    static func trusting(caFile: String) throws -> NIOSSLTrustRoots {
        .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
    }

    static func initialize(_ data: TemporaryDirectory, hosts: [String] = [], ips: [String] = []) throws -> TLSDirectory {
        let directory = TLSDirectory(dataDirectory: data.path)
        try directory.initialize(names: try TLSServerNames(dnsNames: hosts, ipAddresses: ips), now: SystemClock().now())
        return directory
    }

    /// The handshake failed because the client did not trust the certificate (not a refused
    /// connection or a timeout, which would also throw).
    static func isCertificateRefusal(_ error: any Error) -> Bool {
        let text = String(describing: error)
        return text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed")
    }

    @Test func aClientTrustingOnlyOurCAGetsHealthzOverHTTPS() async throws {
        let data = try TemporaryDirectory()
        let directory = try Self.initialize(data)
        let roots = try Self.trusting(caFile: directory.caCertificateFile)
        try await Self.withServer(data: data.path) { port in
            let health = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots)
            #expect(health.status == 200)
            #expect(health.body.contains(#""status":"ok""#), "\(health.body)")
            // The default names cover both ways of writing loopback.
            let byName = try await Self.get("https://localhost:\(port)/healthz", trusting: roots)
            #expect(byName.status == 200)
        }
    }

    /// HSTS (issue 14): a browser that reached the server over HTTPS once never tries plain HTTP again.
    @Test func everyAnswerOverTLSCarriesHSTSAndPlainOnesDoNot() async throws {
        let data = try TemporaryDirectory()
        _ = try Self.initialize(data)
        let roots = try Self.trusting(caFile: data.path + "/tls/ca.pem")
        let fields = try await Self.withServer(data: data.path) { port in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = roots
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            var found: [String] = []
            do {
                for path in ["/healthz", "/api/v1/users", "/web/login", "/no-such-page"] {
                    let response = try await client.execute(HTTPClientRequest(url: "https://localhost:\(port)\(path)"), timeout: .seconds(10))
                    found.append("\(path) \(response.headers["Strict-Transport-Security"].first ?? "none")")
                }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            return found
        }
        #expect(fields == ["/healthz", "/api/v1/users", "/web/login", "/no-such-page"].map { "\($0) max-age=31536000" })
        let plain = try TestServer()
        try await plain.http { client in
            let answer = try await client.call(.get, "/healthz")
            #expect(answer.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
    }

    @Test func aClientTrustingTheSystemRootsOnlyRefusesTheServer() async throws {
        let data = try TemporaryDirectory()
        _ = try Self.initialize(data)
        try await Self.withServer(data: data.path) { port in
            do {
                _ = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: nil, timeoutSeconds: 3)
                Issue.record("a client without our CA accepted the server")
            } catch {
                #expect(Self.isCertificateRefusal(error), "\(error)")
            }
        }
    }

    @Test func aClientTrustingAnotherCARefusesTheServer() async throws {
        let data = try TemporaryDirectory()
        _ = try Self.initialize(data)
        let otherData = try TemporaryDirectory()
        let other = try Self.initialize(otherData)
        let roots = try Self.trusting(caFile: other.caCertificateFile)
        try await Self.withServer(data: data.path) { port in
            do {
                _ = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots, timeoutSeconds: 3)
                Issue.record("a client trusting another CA accepted the server")
            } catch {
                #expect(Self.isCertificateRefusal(error), "\(error)")
            }
        }
    }

    /// The CA changeover in docs/server.md: an agent's `ca_file` holding the old and the new CA
    /// trusts a server with either.
    @Test func aCAFileWithTwoCAsTrustsAServerFromEither() async throws {
        let data = try TemporaryDirectory()
        let directory = try Self.initialize(data)
        let otherData = try TemporaryDirectory()
        let other = try Self.initialize(otherData)
        let both = data.appending("both-cas.pem")
        let text = try String(contentsOfFile: other.caCertificateFile, encoding: .utf8) + String(contentsOfFile: directory.caCertificateFile, encoding: .utf8)
        try text.write(toFile: both, atomically: true, encoding: .utf8)
        let roots = try Self.trusting(caFile: both)
        for served in [data.path, otherData.path] {
            try await Self.withServer(data: served) { port in
                let health = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots)
                #expect(health.status == 200)
            }
        }
    }

    @Test func aCertificateForOtherNamesIsRefusedEvenByAClientTrustingTheCA() async throws {
        let data = try TemporaryDirectory()
        let directory = try Self.initialize(data, hosts: ["hub.example.org"], ips: ["10.1.2.3"])
        let roots = try Self.trusting(caFile: directory.caCertificateFile)
        try await Self.withServer(data: data.path) { port in
            for url in ["https://127.0.0.1:\(port)/healthz", "https://localhost:\(port)/healthz"] {
                do {
                    _ = try await Self.get(url, trusting: roots, timeoutSeconds: 3)
                    Issue.record("\(url) was accepted with a certificate for hub.example.org and 10.1.2.3")
                } catch {
                    #expect(String(describing: error).contains("failedToValidateHostname"), "\(error)")
                }
            }
        }
    }

    @Test func tlsBelowVersion1_2AndPlainHTTPAreRefused() async throws {
        let data = try TemporaryDirectory()
        let directory = try Self.initialize(data)
        let roots = try Self.trusting(caFile: directory.caCertificateFile)
        try await Self.withServer(data: data.path) { port in
            await #expect(throws: (any Error).self) {
                _ = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots, maximumVersion: .tlsv11, timeoutSeconds: 3)
            }
            let modern = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots, maximumVersion: .tlsv12)
            #expect(modern.status == 200)
            await #expect(throws: (any Error).self) {
                _ = try await Self.get("http://127.0.0.1:\(port)/healthz", trusting: roots, timeoutSeconds: 3)
            }
        }
    }

    @Test func aRenewedServerCertificateIsTrustedWithTheSameCAFile() async throws {
        let data = try TemporaryDirectory()
        let directory = try Self.initialize(data)
        let roots = try Self.trusting(caFile: directory.caCertificateFile)
        let before = try directory.summaries().server
        try directory.renewServer(names: nil, now: SystemClock().now())
        #expect(try directory.summaries().server != before)
        try await Self.withServer(data: data.path) { port in
            let health = try await Self.get("https://127.0.0.1:\(port)/healthz", trusting: roots)
            #expect(health.status == 200)
        }
    }
}
