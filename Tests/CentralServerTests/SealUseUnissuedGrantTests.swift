import Foundation
import Logging
import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 9, for seals: a device could count stamps against anyone's approved
/// application under a grant id the server never issued (using up its approved uses). A seal
/// use counts only under the seal grant the server issued to that device, for that user and
/// that application; any other is kept, acknowledged, flagged, and a security event naming
/// the device, the grant and the user, and counts nothing.
@Suite("Ingestion: seal uses under grants the server never issued")
struct SealUseUnissuedGrantTests {
    @Test func aStampUnderAForgedGrantIsKeptAndFlaggedButCountsNothing() async throws {
        let world = try await SealServiceTests.World.make()
        let application = try await world.approvedApplication(uses: 3)
        guard case let .granted(tokens) = await world.requestGrant(application.id) else { Issue.record("refused"); return }
        let real = tokens.accessGrant.claims.grantID
        let forged = GrantID(high: 0x0bad, low: 0x5ea1)
        // Stamp 1 under the real grant; 2 under a forged one; 3 under the real grant but as dora.
        var events = SealServiceTests.sealEvents(application: application.id, grant: real, count: 1, start: world.server.clock.now())
        for (grant, user) in [(forged, "alice"), (real, "dora")] {
            let use = try SealUseEvent(
                sessionID: 8, applicationID: application.id, grantID: grant, userID: Fixture.userID(user), useNumber: UInt32(events.count + 1),
                usesRemaining: 1, location: try SealLocation(placeName: "Legal, 3F"), photoHash: nil)
            events.append(try Event(following: events.last!, time: events.last!.time.adding(seconds: 60), body: .sealUse(use)))
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let ingestion = IngestionService(store: world.server.store, blobs: BlobFiles(dataDirectory: world.server.directory.path),
                                         metrics: world.server.services.metrics, logger: logger)
        let batch = try UplinkMessage.EventBatch(firstSequence: 1, events: events.map { $0.wireBytes() })
        #expect(try await ingestion.ingest(batch, device: Fixture.deviceID("agent-1"), now: world.server.clock.now()) == .acknowledged(sequence: 3, chargedUsers: []))

        let stored = try #require(try await world.server.store.sealApplication(id: application.id))
        #expect(stored.usesMade == 1, "only the stamp under the issued grant counts: \(stored.usesMade)")
        let uses = try await world.server.store.sealUses(SealUseFilter(application: application.id))
        #expect(uses.count == 3, "all three kept")
        #expect(uses.map(\.flagged) == [nil, "seal.use-unissued-grant", "seal.use-unissued-grant"], "\(uses.map(\.flagged))")
        let security = try await world.server.store.securityEvents(limit: 10).filter { $0.kind == "seal.use-unissued-grant" }
        #expect(security.count == 2)
        #expect(security.contains { $0.deviceID?.value == "agent-1" && $0.userID?.value == "alice" && $0.detail.contains(forged.description) })
        #expect(security.contains { $0.deviceID?.value == "agent-1" && $0.userID?.value == "dora" && $0.detail.contains(real.description) })
        // Alice still has the two uses the forged stamps would have taken.
        guard case let .granted(again) = await world.requestGrant(application.id) else { Issue.record("refused after forged stamps"); return }
        #expect(again.accessGrant.claims.allowance.sealUses == 2)
    }
}
