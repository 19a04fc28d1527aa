import Logging
import Protocol

/// Everything a running server is made of, wired once: the store, the keys, the metrics and the
/// services built on them. `serve`, the tests and (next) the uplink all start from here.
public struct ServerServices: Sendable {
    public let store: any ServerStore
    public let keyRing: ServerKeyRing
    public let metrics: ServerMetrics
    public let clock: any ServerClock
    public let grants: GrantService
    public let admin: AdminService
    public let enrollment: EnrollmentService
    /// The agents connected over the uplink, for pushes (limits, revocations).
    public let hub: UplinkHub
    public let seals: SealService
    public let payments: PaymentWebhookService
    public let bills: BillService
    public let splits: SplitService
    /// Carries released split parts to the devices' agents over the uplink.
    public let splitReleaser: SplitReleaser
    /// Firmware images and rollouts (SPEC F3), and their delivery over the uplink.
    public let firmware: FirmwareService
    /// Security events caused by clients that have not authenticated go through here (throttled).
    public let securityGate: SecurityEventGate
    public let logger: Logger
    /// The uploaded page images and photos (`<data>/blobs`): the web pages show them. Nil for a
    /// server made without a data folder.
    public var blobs: BlobFiles?
    /// The web pages' session rules; `serve --tls` makes the cookie Secure.
    public var webSessions = WebSessionPolicy()
    /// Served over TLS: answers carry HSTS.
    public var servedOverTLS = false
    /// Proxies whose X-Forwarded-For names the client (`serve --trusted-proxy`).
    public var trustedProxies = TrustedProxies.none
    /// Which methods each routed path answers, for the 405s (set once every route is in).
    public let routeMethods = RouteMethodsBox()

    public init(
        store: any ServerStore, keyRing: ServerKeyRing, clock: any ServerClock = SystemClock(), policy: GrantPolicy = GrantPolicy(),
        pinHashCost: UInt8 = AdminService.defaultPINHashCost, passwordHashCost: UInt8 = AdminService.defaultPasswordHashCost, metrics: ServerMetrics = ServerMetrics(),
        webhookSecret: [UInt8]? = nil, splitTimeout: Int64 = SplitConsent.defaultTimeout,
        logger: Logger = Logger(label: "imprimatur.server")
    ) {
        self.store = store
        self.keyRing = keyRing
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        grants = GrantService(store: store, keyRing: keyRing, policy: policy, metrics: metrics, logger: logger)
        hub = UplinkHub(metrics: metrics)
        admin = AdminService(store: store, clock: clock, pinHashCost: pinHashCost, passwordHashCost: passwordHashCost, hub: hub)
        enrollment = EnrollmentService(store: store, grants: grants, clock: clock)
        seals = SealService(store: store, keyRing: keyRing, hub: hub, clock: clock, logger: logger)
        bills = BillService(store: store, clock: clock)
        securityGate = SecurityEventGate(store: store, clock: clock, logger: logger)
        payments = PaymentWebhookService(
            webhook: webhookSecret.map { PaymentWebhook(secret: $0) }, store: store, admin: admin, securityGate: securityGate, clock: clock, logger: logger
        )
        splitReleaser = SplitReleaser(store: store, hub: hub, clock: clock, logger: logger)
        splits = SplitService(store: store, clock: clock, timeout: splitTimeout, releaser: splitReleaser, policy: policy, logger: logger)
        firmware = FirmwareService(store: store, clock: clock, delivery: FirmwareDelivery(store: store, hub: hub, clock: clock, logger: logger), hub: hub)
    }

    /// Opens the data folder: the SQLite store (`server.sqlite`) and the signing keys (`keys/`,
    /// created on first start; refused if readable by others).
    public static func open(
        dataDirectory: String, clock: any ServerClock = SystemClock(), policy: GrantPolicy = GrantPolicy(),
        pinHashCost: UInt8 = AdminService.defaultPINHashCost, passwordHashCost: UInt8 = AdminService.defaultPasswordHashCost, splitTimeout: Int64 = SplitConsent.defaultTimeout,
        logger: Logger = Logger(label: "imprimatur.server")
    ) throws -> ServerServices {
        try DataDirectory.create(dataDirectory)
        let keyRing = try ServerKeyRing(directory: KeyDirectory(dataDirectory: dataDirectory), now: clock.now())
        let secret = try PaymentWebhookSecret.load(dataDirectory: dataDirectory)
        let store = try SQLiteServerStore(dataDirectory: dataDirectory)
        var services = ServerServices(
            store: store, keyRing: keyRing, clock: clock, policy: policy,
            pinHashCost: pinHashCost, passwordHashCost: passwordHashCost, webhookSecret: secret, splitTimeout: splitTimeout, logger: logger
        )
        services.blobs = BlobFiles(dataDirectory: dataDirectory)
        return services
    }
}
