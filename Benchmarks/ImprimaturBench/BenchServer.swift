import CentralServer
import Foundation
import Logging
import Protocol
import TestSupport

/// A real server in this process, wired as `imprimatur-server serve` wires it: the SQLite store in
/// a temporary data folder, the REST routes and the WebSocket uplink on one listener at
/// 127.0.0.1 (a free port). Users, prices, quotas and devices are made through the same
/// services the admin CLI and the enrolment route use.
final class BenchServer: Sendable {
    static let actor = AuditActor.cli("bench")

    let directory: TemporaryDirectory
    let services: ServerServices
    let port: Int
    private let running: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var uplinkURL: String { "ws://127.0.0.1:\(port)/uplink" }

    private init(directory: TemporaryDirectory, services: ServerServices, port: Int, running: Task<Void, any Error>) {
        self.directory = directory
        self.services = services
        self.port = port
        self.running = running
    }

    /// Opens a fresh data folder and serves it; returns once the port is bound.
    static func start(_ name: String) async throws -> BenchServer {
        try await start(in: try TemporaryDirectory("bench-\(name)"), name)
    }

    /// Serves the data folder `directory` (fresh or already set up).
    static func start(in directory: TemporaryDirectory, _ name: String) async throws -> BenchServer {
        let services = try ServerServices.open(dataDirectory: directory.path, logger: quietLogger("imprimatur.bench.server"))
        let router = ServerRoutes.router(services)
        UplinkEndpoint(services: services, dataDirectory: directory.path).install(on: router)
        let (bound, reportBound) = AsyncStream<Int>.makeStream()
        let app = ServerRunner.application(services, router: router, host: "127.0.0.1", port: 0, server: UplinkEndpoint.httpServer(router)) { port in
            reportBound.yield(port)
            reportBound.finish()
        }
        let running = Task { try await app.run() }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            running.cancel()
            throw ProcessFailure(description: "the in-process server did not start")
        }
        return BenchServer(directory: directory, services: services, port: port, running: running)
    }

    /// Stops the listener (cancelling what it serves) and closes the store.
    func stop() async {
        running.cancel()
        _ = await running.result
        try? await services.store.close()
    }

    // MARK: Setting up, as an administrator would

    /// A user with a card (and a PIN if given) and, unless told not to, a pages quota far above
    /// what a benchmark uses.
    func addUser(_ id: String, card: String, pin: String? = nil, quota: Bool = true) async throws {
        _ = try await services.admin.createUser(
            AdminService.NewUser(id: id, name: "Bench \(id)", roles: ["employee"], cards: [card], pin: pin), by: Self.actor
        )
        guard quota else { return }
        try await services.admin.setQuota(user: id, limit: 100_000_000, unit: "pages", currency: nil, adjustment: 0, period: "monthly", by: Self.actor)
    }

    func setPrices() async throws {
        for paper in ["A4", "A3"] {
            try await services.admin.setPrice(paper: paper, colour: true, price: paper == "A4" ? 20 : 40, currency: "EUR", by: Self.actor)
            try await services.admin.setPrice(paper: paper, colour: false, price: paper == "A4" ? 5 : 10, currency: "EUR", by: Self.actor)
        }
    }

    /// Enrols a device with a fresh key and a one-time token, as `imprimatur-agent enroll` does
    /// through `POST /api/v1/enroll`; the device's one copier has the device's id.
    func enroll(_ id: String) async throws -> (device: BenchDevice, serverKeys: [TrustedKey]) {
        let key = SigningKey()
        let (token, _) = try await services.admin.createEnrollmentToken(name: id, lifetime: 3_600_000, by: Self.actor)
        let result = try await services.enrollment.enroll(EnrollmentService.Request(
            token: token, deviceID: id, publicKey: Hex.encode(key.publicKey.bytes), model: "bench", firmware: "1.0.0"
        ), source: "bench")
        return (BenchDevice(id: result.device.id, key: key), result.serverKeys.map(\.trustedKey))
    }

    /// Events the server holds for `device` (its stored chain head).
    func storedEvents(_ device: DeviceID) async throws -> UInt64 {
        try await services.store.eventHead(device: device)?.sequence ?? 0
    }
}

/// An enrolled device as a simulated agent knows it: its id and its private key.
struct BenchDevice: Sendable {
    let id: DeviceID
    let key: SigningKey
}

/// Loggers that keep the benchmark's output to its figures: warnings and errors only, on
/// standard error.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { QuietStopLogHandler(inner: StreamLogHandler.standardError(label: $0)) }
    logger.logLevel = .warning
    return logger
}

/// Drops the one error HummingbirdCore logs whenever a server is stopped by cancelling it, which
/// is how the benchmark stops its in-process servers; everything else goes through.
struct QuietStopLogHandler: LogHandler {
    var inner: StreamLogHandler

    func log(event: LogEvent) {
        let text = event.message.description
        if text.hasPrefix("Waiting on child channel"), text.contains("CancellationError") { return }
        inner.log(event: event)
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }
}
