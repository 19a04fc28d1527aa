import Hummingbird
import HummingbirdCore
import Logging
import Protocol
import ServiceLifecycle

/// Runs the HTTP server with its store until SIGTERM or SIGINT, then shuts down gracefully:
/// the listener stops accepting, requests in flight finish, and only then the store closes.
public enum ServerRunner {
    /// The Hummingbird application for `services`, listening on `host:port` (port 0: any free
    /// port). `onRunning` gets the port actually bound.
    public static func application(
        _ services: ServerServices, router: Router<ServerRequestContext>? = nil, host: String, port: Int,
        server: HTTPServerBuilder = .http1(), onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = router ?? ServerRoutes.router(services)
        // Set here, once every route is in (the uplink adds its own after ServerRoutes.router).
        services.routeMethods.set(RouteMethods(router))
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: ServerInfo.name),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: services.logger
        )
    }

    /// Serves until a shutdown signal, then stops in order: HTTP first, then `background`
    /// services (the uplink's, for example), the store last.
    public static func run(
        _ services: ServerServices, router: Router<ServerRequestContext>? = nil, host: String, port: Int,
        server: HTTPServerBuilder = .http1(), background: [any Service] = [],
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = application(services, router: router, host: host, port: port, server: server, onRunning: onRunning)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            // Shut down in reverse order: the application drains before the store closes.
            services: [StoreCloser(store: services.store, logger: services.logger)] + background + [app],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: services.logger
        ))
        try await group.run()
    }
}

/// Holds the store open while the server runs and closes it at graceful shutdown, after the
/// services started after it (the HTTP application) have stopped.
struct StoreCloser: Service {
    let store: any ServerStore
    let logger: Logger

    func run() async throws {
        // Throws CancellationError if the group is cancelled rather than shut down; close anyway.
        try? await gracefulShutdown()
        try await store.close()
        logger.info("store closed")
    }
}
