import Foundation
import Logging
import Protocol
import Testing
@testable import CentralServer

/// The seal workflow against the real SQLite store: grants for approved applications, uses
/// counted at ingestion (over-use is a security event), revocation lists, timelines, inboxes.
@Suite("Seal applications, store and services")
struct SealServiceTests {
    struct World {
        let server: TestServer
        let alice: User, arthur: User, bea: User, dora: User, ada: User
        var seals: SealService { server.services.seals }
        static let source = "127.0.0.1:1"

        static func make() async throws -> World {
            let server = try TestServer()
            try await server.enroll()
            return World(
                server: server, alice: try await server.addUser("alice"), arthur: try await server.addUser("arthur", roles: ["approver", "employee"]),
                bea: try await server.addUser("bea", roles: ["approver"]), dora: try await server.addUser("dora"),
                ada: try await server.addUser("ada", roles: ["administrator"])
            )
        }

        func approvedApplication(uses: Int64 = 3) async throws -> SealApplication {
            let application = try await seals.apply(
                SealService.NewApplication(seal: "seal-1", reason: "Contract with ACME", uses: uses, photos: 1, approvers: ["arthur", "bea"], cc: ["dora"]),
                by: alice, from: Self.source
            )
            _ = try await seals.act(.approve(note: nil), on: application.id, by: arthur, from: Self.source)
            return try await seals.act(.approve(note: nil), on: application.id, by: bea, from: Self.source)
        }

        func requestGrant(_ application: ApplicationID?) async -> GrantOutcome {
            await server.services.grants.requestGrant(
                device: Fixture.deviceID("agent-1"), credential: .card(Fixture.card("card-alice"), pin: Fixture.pin("1234")),
                resource: Fixture.resourceID("seal-1"), resourceType: .seal, applicationID: application, now: server.clock.now()
            )
        }
    }

    @Test func anApprovedApplicationGetsASealGrantAndAPendingOneDoesNot() async throws {
        let world = try await World.make()
        let pending = try await world.seals.apply(
            SealService.NewApplication(seal: "seal-1", reason: "NDA", uses: 2, photos: 0, approvers: ["arthur"], cc: []), by: world.alice, from: World.source
        )
        guard case .refused(.applicationNotApproved, _) = await world.requestGrant(pending.id) else { Issue.record("a pending application was granted"); return }

        let approved = try await world.approvedApplication()
        #expect(approved.status == .approved)
        guard case let .granted(tokens) = await world.requestGrant(approved.id) else { Issue.record("the approved application was refused"); return }
        #expect(tokens.accessGrant.claims.allowance.sealUses == 3)
        #expect(tokens.accessGrant.claims.applicationID == approved.id)
        let issued = try await world.server.store.issuedGrants(userID: world.alice.id, limit: 10)
        #expect(issued.first?.applicationID == approved.id)
        guard case .refused(.applicationNotApproved, _) = await world.requestGrant(try ApplicationID("sa-none")) else { Issue.record("an unknown application was granted"); return }
    }

    @Test func theTimelineAndTheAuditLogRecordEveryStep() async throws {
        let world = try await World.make()
        let application = try await world.seals.apply(
            SealService.NewApplication(seal: "seal-1", reason: "Lease", uses: 1, photos: 0, approvers: ["arthur"], cc: []), by: world.alice, from: World.source
        )
        _ = try await world.seals.act(.forward(to: "bea", user: world.bea, note: "for legal"), on: application.id, by: world.arthur, from: World.source)
        await #expect(throws: SealWorkflowError.forbidden("\(application.id) is waiting on bea, not on arthur")) {
            _ = try await world.seals.act(.approve(note: nil), on: application.id, by: world.arthur, from: World.source)
        }
        _ = try await world.seals.act(.reject(note: "no"), on: application.id, by: world.bea, from: World.source)
        let steps = try await world.server.store.sealApplicationSteps(id: application.id)
        #expect(steps.map(\.action) == [.submitted, .forwarded(level: 0, to: world.bea.id), .rejected(level: 0)])
        #expect(steps[1].note == "for legal")
        let audit = try await world.server.store.auditEntries(after: 0, limit: 1000).map(\.record).filter { $0.target == "seal-application:\(application.id)" }
        #expect(audit.map(\.action) == ["seal.apply", "seal.forward", "seal.reject"])
        #expect(audit.map(\.actor) == ["user:alice", "user:arthur", "user:bea"])
        guard case .intact = try await world.server.store.verifyAuditChain() else { Issue.record("audit chain broken"); return }
        // Inboxes: bea was asked, alice heard of each step.
        #expect(try await world.server.store.inbox(user: world.bea.id, unreadOnly: false, limit: 10).map(\.kind) == ["seal.forwarded"])
        let alices = try await world.server.store.inbox(user: world.alice.id, unreadOnly: false, limit: 10)
        #expect(alices.map(\.kind) == ["seal.rejected", "seal.forwarded"])
        try await world.server.store.markRead(alices[0].id, user: world.alice.id, at: world.server.clock.now())
        #expect(try await world.server.store.inbox(user: world.alice.id, unreadOnly: true, limit: 10).map(\.kind) == ["seal.forwarded"])
        await #expect(throws: StoreError.notFound("notification \(alices[0].id)")) {
            try await world.server.store.markRead(alices[0].id, user: world.bea.id, at: world.server.clock.now())
        }
    }

    static func sealEvents(application: ApplicationID, grant: GrantID, count: Int, start: Timestamp, user: UserID = Fixture.userID("alice")) -> [Event] {
        var events: [Event] = []
        var previous = Hash32.zero
        for index in 1...count {
            let use = try! SealUseEvent(
                sessionID: 7, applicationID: application, grantID: grant, userID: user, useNumber: UInt32(index),
                usesRemaining: UInt32(max(0, 3 - index)),
                location: try! SealLocation(placeName: "Legal, 3F", coordinate: try! GeoCoordinate(latitudeMicrodegrees: 48_858_370, longitudeMicrodegrees: 2_294_481)),
                photoHash: Hash32.sha256(Array("photo \(index)".utf8))
            )
            let event = try! Event(deviceID: Fixture.deviceID("agent-1"), sequence: UInt64(index), previousHash: previous,
                                   time: start.adding(milliseconds: Int64(index) * 60_000), body: .sealUse(use))
            previous = event.hash
            events.append(event)
        }
        return events
    }

    @Test func ingestedUsesCountAndAFourthOfThreeIsASecurityEvent() async throws {
        let world = try await World.make()
        let application = try await world.approvedApplication()
        guard case let .granted(tokens) = await world.requestGrant(application.id) else { Issue.record("refused"); return }
        let events = Self.sealEvents(application: application.id, grant: tokens.accessGrant.claims.grantID, count: 4, start: world.server.clock.now())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let ingestion = IngestionService(store: world.server.store, blobs: BlobFiles(dataDirectory: world.server.directory.path), metrics: world.server.services.metrics, logger: logger)
        let batch = try UplinkMessage.EventBatch(firstSequence: 1, events: events.map { $0.wireBytes() })
        #expect(try await ingestion.ingest(batch, device: Fixture.deviceID("agent-1"), now: world.server.clock.now()) == .acknowledged(sequence: 4, chargedUsers: []))
        // A resend counts nothing twice.
        _ = try await ingestion.ingest(batch, device: Fixture.deviceID("agent-1"), now: world.server.clock.now())

        let stored = try #require(try await world.server.store.sealApplication(id: application.id))
        #expect(stored.usesMade == 4)
        #expect(stored.usesRemaining == 0)
        let uses = try await world.server.store.sealUses(SealUseFilter(application: application.id))
        #expect(uses.map(\.useNumber) == [1, 2, 3, 4])
        #expect(uses.map(\.usesRemaining) == [2, 1, 0, 0])
        #expect(uses.map(\.flagged) == [nil, nil, nil, "seal.use-over-approved-count"])
        #expect(uses[0].photos == [Hash32.sha256(Array("photo 1".utf8))])
        let security = try await world.server.store.securityEvents(limit: 10)
        #expect(security.map(\.kind) == ["seal.use-over-approved-count"])
        #expect(security[0].detail.contains("use 4 of \(application.id), approved for 3"))
        // Approvers and CC were told of each use (E6).
        #expect(try await world.server.store.inbox(user: world.dora.id, unreadOnly: false, limit: 20).filter { $0.kind == "seal.used" }.count == 4)
        guard case .refused(.usesExhausted, _) = await world.requestGrant(application.id) else { Issue.record("granted with no uses left"); return }
    }

    @Test func revokingPutsLiveGrantsOnASignedVersionedList() async throws {
        let world = try await World.make()
        #expect(try await world.seals.signedRevocationList(now: world.server.clock.now()) == nil)
        let application = try await world.approvedApplication()
        guard case let .granted(tokens) = await world.requestGrant(application.id) else { Issue.record("refused"); return }
        await #expect(throws: SealWorkflowError.forbidden("only an approver of \(application.id) or an administrator may revoke it")) {
            _ = try await world.seals.act(.revoke(note: nil), on: application.id, by: world.dora, from: World.source)
        }
        let revoked = try await world.seals.act(.revoke(note: "cancelled"), on: application.id, by: world.arthur, from: World.source)
        #expect(revoked.status == .revoked)
        let list = try #require(try await world.seals.signedRevocationList(now: world.server.clock.now()))
        #expect(list.revocationList.version == 1)
        #expect(list.revocationList.contains(tokens.accessGrant.claims.grantID))
        // What an agent does with it: trusts the server's keys, applies the list, sees the grant revoked.
        let keys = try world.server.services.grants.publishedKeys(now: world.server.clock.now())
        var state = RevocationState()
        try state.apply(token: list.wireBytes(), trustedKeys: TrustedKeys(keys.map { TrustedKey($0.publicKey, validUntil: $0.validUntil) }))
        #expect(state.isRevoked(tokens.accessGrant.claims.grantID))
        guard case .refused(.applicationRevoked, _) = await world.requestGrant(application.id) else { Issue.record("granted after revocation"); return }
        // Once the grant has expired, later lists leave it out.
        world.server.clock.advance(milliseconds: 3_600_000)
        #expect(try await world.seals.signedRevocationList(now: world.server.clock.now())?.revocationList.entries.isEmpty == true)
    }
}
