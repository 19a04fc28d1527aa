import Foundation
import Protocol
import Testing
@testable import CentralServer

/// A seal grant issued in the same instant as its application's revocation cannot escape it
/// (issue 14, SPEC E7): GrantService reads the application, then signs and records the grant;
/// a revocation that commits in between must not leave a live grant off the revocation list.
@Suite("Grants racing a revocation")
struct GrantRevocationRaceTests {
    static func sealGrant(for application: SealApplication, at now: Timestamp) -> IssuedGrant {
        var generator = SystemRandomNumberGenerator()
        return IssuedGrant(
            grantID: .random(using: &generator), kind: .access, keyID: Fixture.deviceKey.keyID, userID: application.applicant,
            deviceID: Fixture.deviceID("agent-1"), resourceID: Fixture.resourceID("seal-1"), issuedAt: now, expires: now.adding(seconds: 300),
            allowance: .seal(uses: UInt32(application.uses)), available: nil, applicationID: application.id
        )
    }

    /// The revocation commits between the facts and the record: the record is refused.
    @Test func aGrantRecordedAfterTheRevocationIsRefused() async throws {
        let world = try await SealServiceTests.World.make()
        let application = try await world.approvedApplication()
        let now = world.server.clock.now()
        // The facts were read here (approved); the revocation commits now, in the same millisecond.
        _ = try await world.seals.act(.revoke(note: "cancelled"), on: application.id, by: world.arthur, from: SealServiceTests.World.source)
        let late = Self.sealGrant(for: application, at: now)
        await #expect(throws: ApplicationRevokedError(application: application.id)) { try await world.server.store.recordIssuedGrants([late]) }
        #expect(try await world.server.store.issuedGrant(id: late.grantID) == nil, "nothing of the refused grant is stored")
    }

    /// The record commits first: the revocation finds it and lists it.
    @Test func aGrantRecordedBeforeTheRevocationIsOnItsList() async throws {
        let world = try await SealServiceTests.World.make()
        let application = try await world.approvedApplication()
        let now = world.server.clock.now()
        let early = Self.sealGrant(for: application, at: now)
        try await world.server.store.recordIssuedGrants([early])
        _ = try await world.seals.act(.revoke(note: "cancelled"), on: application.id, by: world.arthur, from: SealServiceTests.World.source)
        let list = try #require(try await world.seals.signedRevocationList(now: now))
        #expect(list.revocationList.contains(early.grantID))
    }

    /// GrantService answers such a refusal as the revocation, not as "server unavailable".
    @Test func theRequestAfterTheRevocationIsRefusedAsRevoked() async throws {
        let world = try await SealServiceTests.World.make()
        let application = try await world.approvedApplication()
        _ = try await world.seals.act(.revoke(note: nil), on: application.id, by: world.arthur, from: SealServiceTests.World.source)
        guard case .refused(.applicationRevoked, _) = await world.requestGrant(application.id) else { Issue.record("granted after revocation"); return }
    }
}
