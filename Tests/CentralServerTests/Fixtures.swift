import Foundation
import Logging
import Protocol
import TestSupport
@testable import CentralServer

/// Shared test scaffolding: fixed times, users and devices, and a server in a temp folder.
enum Fixture {
    /// 2023-11-14T22:13:20Z, the grants doc's example time.
    static let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let minute: Int64 = 60_000

    static func userID(_ text: String) -> UserID { try! UserID(text) }
    static func deviceID(_ text: String) -> DeviceID { try! DeviceID(text) }
    static func resourceID(_ text: String) -> ResourceID { try! ResourceID(text) }
    static func card(_ text: String) -> UplinkMessage.CardNumber { try! UplinkMessage.CardNumber(text) }
    static func pin(_ text: String) -> UplinkMessage.PIN { try! UplinkMessage.PIN(text) }
    static let eur = try! CurrencyCode("EUR")

    static func user(_ id: String = "alice", active: Bool = true, department: String? = "finance", pinHash: String? = "hash") -> User {
        User(id: userID(id), name: id.capitalized, department: department, roles: [.employee], active: active, pinHash: pinHash, created: now, cards: ["card-\(id)"])
    }

    static let deviceKey = try! SigningKey(seed: Array(repeating: 7, count: 32))

    static func device(_ id: String = "agent-1", state: DeviceState = .active, resources: [DeviceResource]? = nil) -> Device {
        Device(
            id: deviceID(id), name: "Copier \(id)", model: "sim", firmware: "1.0.0", publicKey: deviceKey.publicKey,
            enrolledAt: now, state: state,
            resources: resources ?? [DeviceResource(id: resourceID("copier-1"), type: .copier), DeviceResource(id: resourceID("seal-1"), type: .seal)]
        )
    }

    static func prices(_ entries: [(PaperSize, Bool, UInt32)]) -> PriceTable {
        try! PriceTable(entries.map { try! PagePrice(paperSize: $0.0, colour: $0.1, pricePerPage: $0.2) })
    }
}

/// A server in a fresh temporary folder with a manual clock and cheap bcrypt.
struct TestServer {
    let directory: TemporaryDirectory
    let clock: ManualClock
    let services: ServerServices
    var store: any ServerStore { services.store }
    var admin: AdminService { services.admin }
    static let actor = AuditActor.cli("test")

    /// The payment webhook's secret in every test server.
    static let webhookSecret = Array(repeating: UInt8(0x5a), count: 32)

    init(policy: GrantPolicy = GrantPolicy(), at start: Timestamp = Fixture.now) throws {
        directory = try TemporaryDirectory("imprimatur-server-test")
        try (Hex.encode(Self.webhookSecret) + "\n").write(toFile: PaymentWebhookSecret.path(dataDirectory: directory.path), atomically: true, encoding: .utf8)
        chmod(PaymentWebhookSecret.path(dataDirectory: directory.path), 0o600)
        clock = ManualClock(start)
        var logger = Logger(label: "imprimatur.test")
        logger.logLevel = .warning
        services = try ServerServices.open(
            dataDirectory: directory.path, clock: clock, policy: policy, pinHashCost: 4, passwordHashCost: 4, logger: logger
        )
    }

    /// Adds a user with a card `card-<id>` and PIN 1234.
    @discardableResult
    func addUser(_ id: String, roles: [String] = ["employee"], department: String? = nil, pin: String? = "1234") async throws -> User {
        try await admin.createUser(
            AdminService.NewUser(id: id, name: id.capitalized, department: department, roles: roles, cards: ["card-\(id)"], pin: pin),
            by: Self.actor
        )
    }

    /// Enrols device `id` with `resources`: by default one copier `copier-1` and one seal
    /// `seal-1` (resource ids are unique on the server: a second device needs its own).
    @discardableResult
    func enroll(_ id: String = "agent-1", key: SigningKey = Fixture.deviceKey,
                resources: [(id: String, type: String)] = [("copier-1", "copier"), ("seal-1", "seal")]) async throws -> Device {
        let (token, _) = try await admin.createEnrollmentToken(name: "Copier \(id)", lifetime: 3_600_000, by: Self.actor)
        return try await services.enrollment.enroll(EnrollmentService.Request(
            token: token, deviceID: id, publicKey: Hex.encode(key.publicKey.bytes), model: "sim", firmware: "1.0.0",
            resources: resources
        ), source: "test").device
    }

    /// Records, as GrantService does when it signs one, a copier grant for each grant id the copy
    /// jobs in `events` name (not yet recorded), to the device and the user the job names: the
    /// ingestion charges a job only under a grant the server issued (issue 21).
    func issueGrants(for events: [Event]) async throws {
        var known = Set(try await store.issuedGrants(userID: nil, limit: 1_000_000).map(\.grantID))
        var grants: [IssuedGrant] = []
        for event in events {
            guard case let .copyJob(job) = event.body, known.insert(job.grantID).inserted else { continue }
            grants.append(IssuedGrant(
                grantID: job.grantID, kind: .access, keyID: Fixture.deviceKey.keyID, userID: job.userID, deviceID: event.deviceID,
                resourceID: Fixture.resourceID("copier-1"), issuedAt: job.started.adding(seconds: -10), expires: job.ended.adding(seconds: 300),
                allowance: .copier(pages: job.pages, copies: job.copies, colourAllowed: job.colourPages > 0), available: nil
            ))
        }
        try await store.recordIssuedGrants(grants)
    }

    /// An API token for a new user with `roles`.
    func token(for id: String, roles: [String]) async throws -> String {
        try await addUser(id, roles: roles)
        return try await admin.createAPIToken(user: id, name: "test", by: Self.actor)
    }
}
