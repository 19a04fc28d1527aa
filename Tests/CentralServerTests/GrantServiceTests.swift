import Protocol
import Testing
@testable import CentralServer

@Suite("Grant service")
struct GrantServiceTests {
    let copier = Fixture.resourceID("copier-1")
    let device = Fixture.deviceID("agent-1")

    func request(_ server: TestServer, card: String = "card-alice", pin: String? = "1234", device: DeviceID? = nil) async -> GrantOutcome {
        await server.services.grants.requestGrant(
            device: device ?? self.device, credential: .card(Fixture.card(card), pin: pin.map(Fixture.pin)),
            resource: copier, resourceType: .copier, deviceTime: server.clock.now(), now: server.clock.now()
        )
    }

    /// The verifier an agent on `agent-1` would build from what the server publishes.
    func verifier(_ server: TestServer) throws -> GrantVerifier {
        let keys = try server.services.grants.publishedKeys(now: server.clock.now())
        return GrantVerifier(trustedKeys: TrustedKeys(keys.map(\.trustedKey)), deviceID: device)
    }

    @Test func grantsASignedGrantThatTheAgentAccepts() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        let outcome = await request(server)
        let tokens = try #require(outcome.tokens, "\(outcome)")
        #expect(tokens.limitGrant == nil)  // no quota, no limit grant

        let verdict = try verifier(server).verify(
            grantToken: tokens.accessToken, at: server.clock.now(), resource: copier, user: Fixture.userID("alice"),
            usedGrantIDs: Set<GrantID>(), revocations: RevocationState()
        )
        let claims = try #require(verdict.acceptedClaims, "\(verdict)")
        #expect(try claims.keyID == server.services.keyRing.keys().current.keyID)
        #expect(claims.allowance == .copier(pages: 500, copies: 500, colourAllowed: true))

        // Another device's verifier refuses it.
        let other = GrantVerifier(trustedKeys: try verifier(server).trustedKeys, deviceID: Fixture.deviceID("agent-2"))
        #expect(other.verify(grantToken: tokens.accessToken, at: server.clock.now(), usedGrantIDs: Set<GrantID>(), revocations: RevocationState()).acceptedClaims == nil)

        let issued = try await server.store.issuedGrants(userID: Fixture.userID("alice"), limit: 10)
        #expect(issued.map(\.grantID) == [claims.grantID])
        #expect(issued.first?.allowance == claims.allowance)
        #expect(server.services.metrics.exposition().contains(#"imprimatur_grants_issued_total{resource_type="copier"} 1"#))
    }

    @Test func sendsAVerifiableLimitGrantForAUserWithAQuota() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
        try await server.admin.setPrice(paper: "A4", colour: true, price: 30, currency: "EUR", by: TestServer.actor)
        try await server.admin.setQuota(user: "alice", limit: 1000, unit: "money", currency: "EUR", adjustment: 200, period: "monthly", by: TestServer.actor)
        try await server.store.appendLedger(LedgerEntry(userID: Fixture.userID("alice"), at: Fixture.now, kind: .use, pages: 20, amount: 600, currency: Fixture.eur, actor: "test"), audit: nil)

        let tokens = try #require(await request(server).tokens)
        #expect(tokens.accessGrant.claims.allowance == .copier(pages: 120, copies: 120, colourAllowed: true))
        let limitToken = try #require(tokens.limitToken)
        let verdict = try verifier(server).verify(limitGrantToken: limitToken, at: server.clock.now(), user: Fixture.userID("alice"), revocations: RevocationState())
        let limit = try #require(verdict.acceptedClaims, "\(verdict)")
        #expect(limit.available == 600)  // 1000 + 200 − 600
        #expect(limit.unit == .money(Fixture.eur))
        #expect(limit.prices.price(paperSize: .a4, colour: true) == 30)
        #expect(limit.expires == Fixture.now.adding(milliseconds: 24 * 3_600_000))

        // The uplink's periodic push gets the same numbers.
        let pushed = try #require(try await server.services.grants.limitGrant(user: Fixture.userID("alice"), device: device, now: server.clock.now()))
        #expect(pushed.limitGrant.available == 600)

        // The push for the whole device covers each active user with a quota who may use it.
        try await server.addUser("bob")
        try await server.admin.setQuota(user: "bob", limit: 50, unit: "pages", currency: nil, adjustment: 0, period: "weekly", by: TestServer.actor)
        try await server.addUser("carol")  // no quota: no limit grant
        let all = try await server.services.grants.limitGrants(device: device, now: server.clock.now())
        #expect(Set(all.map(\.limitGrant.userID.value)) == ["alice", "bob"])
        #expect(all.first { $0.limitGrant.userID.value == "bob" }?.limitGrant.unit == .pages)
        try await server.admin.setActive("bob", active: false, by: TestServer.actor)
        #expect(try await server.services.grants.limitGrants(device: device, now: server.clock.now()).map(\.limitGrant.userID.value) == ["alice"])
        #expect(try await server.services.grants.limitGrants(device: Fixture.deviceID("agent-9"), now: server.clock.now()).isEmpty)
    }

    @Test func refusesAWrongPINAndThenRateLimits() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        for attempt in 1...5 {
            let outcome = await request(server, pin: "9999")
            #expect(outcome.refusalReason == .wrongPIN, "attempt \(attempt)")
            server.clock.advance(milliseconds: 1000)
        }
        // Locked now, even with the right PIN.
        #expect(await request(server).refusalReason == .pinRateLimited)
        let events = try await server.store.securityEvents(limit: 10)
        #expect(events.contains { $0.kind == "pin.locked" && $0.userID == Fixture.userID("alice") })
        // 15 minutes after the fifth failure the lock is over and the right PIN works, which clears the count.
        server.clock.advance(milliseconds: 15 * Fixture.minute)
        #expect(await request(server).tokens != nil)
        #expect(try await server.store.pinFailures(userID: Fixture.userID("alice"), since: Timestamp(millisecondsSinceEpoch: 0)).isEmpty)
        #expect(server.services.metrics.exposition().contains(#"imprimatur_grants_refused_total{reason="wrongPIN"} 5"#))
    }

    @Test func aMissingPINIsRefusedWithoutCountingAsAFailure() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        #expect(await request(server, pin: nil).refusalReason == .wrongPIN)
        #expect(try await server.store.pinFailures(userID: Fixture.userID("alice"), since: Timestamp(millisecondsSinceEpoch: 0)).isEmpty)
    }

    @Test func aCardOnlyUserNeedsNoPIN() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("carol", pin: nil)
        #expect(await request(server, card: "card-carol", pin: nil).tokens != nil)
    }

    @Test func aUserIDCredentialNeedsTheRightPIN() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        let right = await server.services.grants.requestGrant(
            device: device, credential: .user(Fixture.userID("alice"), pin: Fixture.pin("1234")), resource: copier, resourceType: .copier, now: server.clock.now()
        )
        #expect(right.tokens != nil)
        let unknown = await server.services.grants.requestGrant(
            device: device, credential: .user(Fixture.userID("nobody"), pin: Fixture.pin("1234")), resource: copier, resourceType: .copier, now: server.clock.now()
        )
        #expect(unknown.refusalReason == .unknownUser)
    }

    @Test func refusesADisabledUser() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        try await server.admin.setActive("alice", active: false, by: TestServer.actor)
        #expect(await request(server).refusalReason == .userDisabled)
    }

    @Test func refusesAnUnknownCard() async throws {
        let server = try TestServer()
        try await server.enroll()
        #expect(await request(server, card: "no-such-card").refusalReason == .unknownCard)
    }

    @Test func refusesAUserOverQuota() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        try await server.admin.setQuota(user: "alice", limit: 10, unit: "pages", currency: nil, adjustment: 0, period: "monthly", by: TestServer.actor)
        try await server.store.appendLedger(LedgerEntry(userID: Fixture.userID("alice"), at: Fixture.now, kind: .use, pages: 10, actor: "test"), audit: nil)
        #expect(await request(server).refusalReason == .overQuota)
        // Last month's use does not count: a new period starts afresh.
        server.clock.advance(milliseconds: 31 * 86_400_000)
        #expect(await request(server).tokens?.accessGrant.claims.allowance.pages == 10)
    }

    @Test func refusesADeviceThatIsNotEnrolledOrDisabled() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        #expect(await request(server).refusalReason == .deviceNotEnrolled)
        try await server.enroll()
        try await server.admin.setDeviceState("agent-1", state: .disabled, by: TestServer.actor)
        #expect(await request(server).refusalReason == .deviceDisabled)
    }

    @Test func refusesUsersOutsideADevicesDepartments() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice", department: "finance")
        try await server.addUser("bob", department: "sales")
        try await server.admin.setDevicePermissions("agent-1", users: [], departments: ["finance"], by: TestServer.actor)
        #expect(await request(server).tokens != nil)
        #expect(await request(server, card: "card-bob").refusalReason == .notAllowedOnDevice)
    }

    @Test func aStoreFailureIsServerUnavailable() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.store.close()
        #expect(await request(server).refusalReason == .serverUnavailable)
    }

    @Test func outcomesBecomeUplinkMessages() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        let granted = await request(server)
        guard case let .grant(grant) = try granted.uplinkMessage() else { Issue.record("not a grant"); return }
        #expect(grant.accessGrant == granted.tokens?.accessToken)
        guard case let .refusal(refusal) = try await request(server, card: "nope").uplinkMessage() else { Issue.record("not a refusal"); return }
        #expect(refusal.reason == .unknownCard)
    }
}
