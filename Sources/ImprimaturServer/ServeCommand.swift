import ArgumentParser
import CentralServer
import HummingbirdCore
import HummingbirdWebSocket
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server until SIGTERM or SIGINT (then it drains requests and closes the store)."
    )

    @OptionGroup var options: DataOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port; the one chosen is printed).")
    var port = 8080

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Hours a payer of a split print job has to approve their share before the part is ended and its data deleted.")
    var splitTimeoutHours = 72

    @Option(help: "Seconds a new connection has to send its first complete request head (a TLS handshake included); then 408 and closed.")
    var requestHeadTimeoutSeconds = 20

    @Option(help: "Seconds a keep-alive connection may wait between requests, or a request's body may stall, before it is closed.")
    var idleTimeoutSeconds = 60

    @Option(help: "Seconds a device has, from the uplink's WebSocket upgrade, to prove who it is before the connection is closed.")
    var uplinkHandshakeTimeoutSeconds = 30

    @Option(help: "Seconds between signings of the audit chain's head (signed only when it moved, and once more at shutdown) for the agents and auditors to keep.")
    var auditHeadIntervalSeconds = 60

    @Flag(help: "Serve HTTPS and WSS with <data>/tls/server.pem (made by tls init). Without it the server listens on loopback only.")
    var tls = false

    @Flag(help: "Allow plain HTTP on a non-loopback --host (only behind a TLS-terminating proxy on a trusted network: PINs, tokens and grants travel in clear).")
    var insecureHTTP = false

    @Option(parsing: .singleValue, help: "The address of a reverse proxy whose X-Forwarded-For names the client (repeat for several); lockouts then count the client, not the proxy.")
    var trustedProxy: [String] = []

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...24 * 365).contains(splitTimeoutHours) else { throw ValidationError("--split-timeout-hours must be 1 to 8760") }
        for (name, value) in [("--request-head-timeout-seconds", requestHeadTimeoutSeconds), ("--idle-timeout-seconds", idleTimeoutSeconds),
                              ("--uplink-handshake-timeout-seconds", uplinkHandshakeTimeoutSeconds), ("--audit-head-interval-seconds", auditHeadIntervalSeconds)] {
            guard (1...3600).contains(value) else { throw ValidationError("\(name) must be 1 to 3600 seconds, got \(value)") }
        }
        for proxy in trustedProxy where (try? TrustedProxies([proxy])) == nil {
            throw ValidationError("--trusted-proxy must be an IPv4 or IPv6 address, got \(proxy)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        DataOptions.restrictNewFiles()
        // Before anything is opened: a refusal here changes nothing.
        try await reporting {
            if try PlainHTTPPolicy.check(host: self.host, tls: tls, insecure: insecureHTTP) {
                FileHandle.standardError.write(Data("warning: serving plain HTTP on \(self.host) (--insecure-http): PINs, API tokens and grants cross the network in clear unless a TLS proxy in front of this server is the only way in\n".utf8))
            }
            if tls { _ = try ServerTLS.configuration(dataDirectory: options.data) }
        }
        let proxies = try await reporting { try TrustedProxies(trustedProxy) }
        var services = try await reporting { try ServerServices.open(dataDirectory: options.data, splitTimeout: Int64(splitTimeoutHours) * 3_600_000) }
        // Over TLS the web session cookie is Secure (sent only over HTTPS).
        services.webSessions.secureCookie = tls
        services.servedOverTLS = tls
        services.trustedProxies = proxies
        let host = self.host
        let scheme = tls ? "https" : "http"
        // The REST API and the agents' WebSocket uplink share one listener.
        let router = ServerRoutes.router(services)
        let timeouts = ConnectionTimeouts(
            requestHead: .seconds(requestHeadTimeoutSeconds), idle: .seconds(idleTimeoutSeconds), uplinkHandshake: .seconds(uplinkHandshakeTimeoutSeconds)
        )
        let uplink = UplinkEndpoint(services: services, dataDirectory: options.data, timeouts: timeouts)
        uplink.install(on: router)
        let plain = UplinkEndpoint.httpServer(router, timeouts: timeouts)
        let server = try await reporting { tls ? try ServerTLS.serverBuilder(wrapping: plain, dataDirectory: options.data) : plain }
        do {
            // The webhook outbox is posted in the background (it idles while no webhook is set).
            let webhooks = WebhookDelivery(store: services.store, clock: services.clock, logger: services.logger)
            let background: [any Service] = [
                webhooks, uplink.limitRefresher(),
                // Split print jobs whose payers did not answer in time are ended and their PDFs deleted (SPEC D4).
                SplitSweeper(splits: services.splits, logger: services.logger),
                // Firmware rollouts started from the CLI are offered by the running server.
                FirmwareSweeper(delivery: services.firmware.delivery),
                services.securityGate.flusher(),
                // The audit chain's head, signed for the agents and auditors to keep (issue 14).
                AuditHeadSigner(services: services, interval: .seconds(auditHeadIntervalSeconds)),
                // Dead web sessions and wrong passwords that no longer count are deleted.
                WebSessionSweeper(store: services.store, policy: services.webSessions, clock: services.clock, logger: services.logger),
            ]
            try await ServerRunner.run(services, router: router, host: host, port: port, server: server, background: background) { bound in
                // Unbuffered, so a supervisor (or a test) sees it at once.
                FileHandle.standardOutput.write(Data("imprimatur-server \(ServerInfo.version) listening on \(scheme)://\(host):\(bound) (data \(options.data))\n".utf8))
            }
        } catch {
            throw CLIError("cannot serve on \(host):\(port): \(error)")
        }
    }
}
