import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// Issue 21 item 2: one atomic count of wrong PINs per user across every path that checks a
/// PIN. Before, 40 parallel grant requests compared 29 wrong PINs against a limit of 5 (the
/// count was read, bcrypt ran, then the failure was written), and the split payer's
/// authentication had no limit at all (60 wrong PINs in 2 s, then the right one: 200).
@Suite("PIN lockout: one count across paths and parallel guesses")
struct PINLockoutTests {
    static let device = Fixture.deviceID("agent-1")

    func request(_ server: TestServer, pin: String) async -> GrantOutcome {
        await server.services.grants.requestGrant(
            device: Self.device, credential: .card(Fixture.card("card-alice"), pin: Fixture.pin(pin)),
            resource: try! ResourceID("copier-1"), resourceType: .copier, deviceTime: server.clock.now(), now: server.clock.now())
    }

    @Test func fortyParallelWrongPINsCompareNoMoreThanTheLimit() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        let reasons = await withTaskGroup(of: UplinkMessage.RefusalReason?.self) { group in
            for _ in 0..<40 { group.addTask { await self.request(server, pin: "9999").refusalReason } }
            var all: [UplinkMessage.RefusalReason?] = []
            for await reason in group { all.append(reason) }
            return all
        }
        let limit = GrantPolicy().userPINLimit.maximumFailures
        #expect(reasons.filter { $0 == .wrongPIN }.count == limit, "compared \(reasons.filter { $0 == .wrongPIN }.count) wrong PINs, limit \(limit)")
        #expect(reasons.filter { $0 == .pinRateLimited }.count == 40 - limit)
        #expect(try await server.store.pinFailures(userID: Fixture.userID("alice"), since: Timestamp(millisecondsSinceEpoch: 0)).count == limit)
        #expect(await request(server, pin: "1234").refusalReason == .pinRateLimited, "the right PIN is not tried while locked")
    }

    @Test func wrongPINsOnTheSplitPathLockTheDevicesToo() async throws {
        let server = try TestServer()
        let people = try await SplitAPITests.setUp(server)
        try await server.http { client async throws in
            let created = try await SplitAPITests.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4), split: SplitAPITests.twoParts)
            let id = try #require(created.object["id"] as? String)
            let path = "/api/v1/split-jobs/\(id)/payers/bob/authenticate"
            for attempt in 1...5 {
                let answer = try await client.call(.post, path, token: people.bob, json: #"{"pin": "9999"}"#)
                #expect(answer.status == .forbidden, "attempt \(attempt): \(answer.text)")
            }
            let locked = try await client.call(.post, path, token: people.bob, json: #"{"pin": "1234"}"#)
            #expect(locked.status == .tooManyRequests, "\(locked.text)")
            #expect(locked.text.contains("too many wrong PINs"))
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0, "Retry-After: \(locked.headers[.retryAfter] ?? "none")")
        }
        // The same count at the copier: bob's right PIN at the device is refused too.
        let atDevice = await server.services.grants.requestGrant(
            device: Self.device, credential: .card(Fixture.card("card-bob"), pin: Fixture.pin("1234")),
            resource: try ResourceID("copier-1"), resourceType: .copier, deviceTime: server.clock.now(), now: server.clock.now())
        #expect(atDevice.refusalReason == .pinRateLimited)
        // After the lockout the right PIN works on the split path and clears the count.
        server.clock.advance(milliseconds: 16 * Fixture.minute)
        try await server.http { client async throws in
            let id = try #require(try await server.store.splitJobsDue(now: Timestamp(millisecondsSinceEpoch: .max)).first)
            let answer = try await client.call(.post, "/api/v1/split-jobs/\(id)/payers/bob/authenticate", token: people.bob, json: #"{"pin": "1234"}"#)
            #expect(answer.status == .ok, "\(answer.text)")
        }
        #expect(try await server.store.pinFailures(userID: Fixture.userID("bob"), since: Timestamp(millisecondsSinceEpoch: 0)).isEmpty)
    }
}
