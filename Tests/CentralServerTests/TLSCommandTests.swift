import Foundation
import Protocol
import TestSupport
import Testing
@testable import CentralServer
#if canImport(Glibc)
import Glibc
#endif

/// `imprimatur-server tls ...` and `serve --tls` as an administrator runs them.
@Suite("imprimatur-server tls and serve --tls")
struct TLSCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try ChildProcess.run(try BuildProducts.executable("imprimatur-server"), arguments, timeout: .seconds(30))
    }

    @Test func tlsInitPrintsTheFilesAndTheCAFingerprintAndRefusesASecondTime() throws {
        let data = try TemporaryDirectory()
        let created = try Self.run(["tls", "init", "--data", data.path, "--host", "hub.example.org", "--ip", "10.0.0.5", "--ip", "127.0.0.1", "--days", "30"])
        #expect(created.status == 0, "\(created.error)")
        let directory = TLSDirectory(dataDirectory: data.path)
        let (ca, server) = try directory.summaries()
        let fingerprint = try #require(ca?.sha256Fingerprint)
        #expect(created.output.contains("CA SHA-256 fingerprint: \(fingerprint)"), "\(created.output)")
        for file in [directory.caCertificateFile, directory.caKeyFile, directory.serverCertificateFile, directory.serverKeyFile] {
            #expect(created.output.contains(file))
        }
        #expect(server?.dnsNames == ["hub.example.org"])
        #expect(server?.ipAddresses.map(\.description) == ["10.0.0.5", "127.0.0.1"])
        let lifetime = try #require(server).notValidAfter.milliseconds(since: try #require(server).notValidBefore)
        #expect(lifetime == 30 * 86_400_000 + 3_600_000)
        #expect(TLSDirectoryTests.mode(directory.path) == 0o700)
        #expect(TLSDirectoryTests.mode(directory.caKeyFile) == 0o600)
        #expect(TLSDirectoryTests.mode(directory.serverKeyFile) == 0o600)

        let again = try Self.run(["tls", "init", "--data", data.path])
        #expect(again.status == 1)
        #expect(again.error.contains("Error: \(directory.caCertificateFile) already exists"), "\(again.error)")
        #expect(again.error.contains("--renew-server"))
        #expect(try directory.summaries().ca?.sha256Fingerprint == fingerprint)

        let renewed = try Self.run(["tls", "init", "--data", data.path, "--renew-server"])
        #expect(renewed.status == 0, "\(renewed.error)")
        #expect(renewed.output.contains("CA SHA-256 fingerprint: \(fingerprint)"))
        #expect(try directory.summaries().server?.dnsNames == ["hub.example.org"])
        #expect(try directory.summaries().server != server)

        let forced = try Self.run(["tls", "init", "--data", data.path, "--force"])
        #expect(forced.status == 0, "\(forced.error)")
        #expect(try directory.summaries().ca?.sha256Fingerprint != fingerprint)
        #expect(try directory.summaries().server?.dnsNames == ["localhost"])

        let show = try Self.run(["tls", "show", "--data", data.path])
        #expect(show.status == 0, "\(show.error)")
        #expect(show.output.contains("CA (\(directory.caCertificateFile))"))
        #expect(show.output.contains("names        DNS:localhost, IP:127.0.0.1"))
        #expect(show.output.contains("(824 days left)") || show.output.contains("(825 days left)"), "\(show.output)")
        #expect(show.output.contains(try #require(try directory.summaries().ca?.sha256Fingerprint)))

        // Each change is in the audit log.
        let audit = try Self.run(["audit", "verify", "--data", data.path])
        #expect(audit.output.contains("intact: 3 entries"), "\(audit.output)")
    }

    @Test func badTLSOptionsAreRefusedWithTheReason() throws {
        let data = try TemporaryDirectory()
        let cases: [([String], Int32, String)] = [
            (["--ip", "10.0.0"], 1, "invalid --ip: \"10.0.0\" is not an IPv4 or IPv6 address"),
            (["--host", "hub_1"], 1, "invalid --host: \"hub_1\" is not a DNS name"),
            (["--host", "10.0.0.5"], 1, "give it with --ip"),
            (["--days", "0"], 1, "invalid --days: must be 1 to 3650 days, got 0"),
            (["--ca-days", "9000"], 1, "invalid --ca-days: must be 1 to 7300 days, got 9000"),
            (["--force", "--renew-server"], 64, "give one of them"),
            (["--renew-server", "--ca-days", "10"], 64, "--ca-days applies to a new CA"),
        ]
        for (arguments, status, message) in cases {
            let result = try Self.run(["tls", "init", "--data", data.path] + arguments)
            #expect(result.status == status, "\(arguments): \(result.error)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: data.path + "/tls/ca.pem"))
        let renew = try Self.run(["tls", "init", "--data", data.path, "--renew-server"])
        #expect(renew.status == 1)
        #expect(renew.error.contains("ca.pem does not exist; --renew-server needs the CA"), "\(renew.error)")
        let show = try Self.run(["tls", "show", "--data", data.path])
        #expect(show.status == 1)
        #expect(show.error.contains("no certificates in \(data.path)/tls"), "\(show.error)")
    }

    @Test(arguments: ["0.0.0.0", "::", "10.0.0.5", "hub.example.org"])
    func plainHTTPOnANonLoopbackHostIsRefused(host: String) throws {
        let data = try TemporaryDirectory()
        let folder = data.appending("server")
        let serve = try Self.run(["serve", "--data", folder, "--host", host, "--port", "0"])
        #expect(serve.status == 1)
        #expect(serve.error.contains("Error: refusing to serve plain HTTP on \(host): without TLS the server listens only on loopback"), "\(serve.error)")
        #expect(serve.error.contains("tls init"))
        #expect(serve.error.contains("--insecure-http"), "the exception is named")
        // Refused before anything was created.
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    /// `--insecure-http` (issue 14) is the operator's explicit exception: the refusal is not
    /// raised and the server says loudly what it is doing. 10.0.0.5 is not an address of this
    /// machine, so the bind then fails: nothing listens off loopback.
    @Test func insecureHTTPTakesTheExceptionAndSaysSo() throws {
        let data = try TemporaryDirectory()
        let serve = try Self.run(["serve", "--data", data.appending("server"), "--host", "10.0.0.5", "--port", "0", "--insecure-http"])
        #expect(!serve.error.contains("refusing to serve plain HTTP"), "\(serve.error)")
        #expect(serve.error.contains("warning: serving plain HTTP on 10.0.0.5 (--insecure-http)"), "\(serve.error)")
        #expect(serve.error.contains("cannot serve on 10.0.0.5"), "\(serve.error)")
    }

    @Test func aTrustedProxyMustBeAnAddress() throws {
        let data = try TemporaryDirectory()
        let serve = try Self.run(["serve", "--data", data.path, "--port", "0", "--trusted-proxy", "proxy.example.org"])
        #expect(serve.status != 0)
        #expect(serve.error.contains("--trusted-proxy must be an IPv4 or IPv6 address, got proxy.example.org"), "\(serve.error)")
    }

    @Test func serveTLSWithoutCertificatesSaysHowToMakeThem() throws {
        let data = try TemporaryDirectory()
        let serve = try Self.run(["serve", "--data", data.path, "--tls", "--port", "0"])
        #expect(serve.status == 1)
        #expect(serve.error.contains("\(data.path)/tls/server.pem does not exist; create it with: imprimatur-server tls init"), "\(serve.error)")
    }

    @Test func serveTLSOnAllAddressesAnswersAClientTrustingTheCAAndStopsOnSIGTERM() async throws {
        let data = try TemporaryDirectory()
        #expect(try Self.run(["tls", "init", "--data", data.path]).status == 0)
        let server = try ChildProcess(try BuildProducts.executable("imprimatur-server"), ["serve", "--data", data.path, "--tls", "--host", "0.0.0.0", "--port", "0"])
        let line = try server.readLine(timeout: .seconds(30))
        #expect(line.contains("listening on https://0.0.0.0:"), "\(line)")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.split(separator: " ").first ?? "") }, "\(line)")

        let roots = try TLSServingTests.trusting(caFile: data.path + "/tls/ca.pem")
        let health = try await TLSServingTests.get("https://127.0.0.1:\(port)/healthz", trusting: roots)
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"ok""#))

        server.send(SIGTERM)
        #expect(try server.waitForExit(timeout: .seconds(20)) == 0, "\(server.standardError)")
    }
}
