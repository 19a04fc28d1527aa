import CentralServer
import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 21 item 9: a device could charge any user under a grant id the server never issued
/// (a copy job names its user and grant, and the server charged the user it named). Now a copy
/// job is charged only under a grant the server issued to that device for that user: the
/// copier grant its session opened with, or the limit grant it used offline. Any other is
/// kept (the device's chain stays whole), acknowledged (the device does not resend it
/// forever), not charged, and a security event naming the device, the grant and the user.
/// Real server process; the device is a script on the uplink.
@Suite("Uplink: copy jobs under grants the server never issued", .serialized)
struct UplinkUnissuedGrantTests {
    @Test func onlyJobsUnderGrantsIssuedToTheDeviceForTheUserAreCharged() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.serverCLI(["user", "add", "--name", "Bob", "--id", "bob", "--card", "0043", "--pin", "1234", "--role", "employee"])
        try system.setUpServer()  // alice (card 0042, a quota of 30 pages), prices
        let key = SigningKey(), otherKey = SigningKey()
        let device = try DeviceID("copier-7"), other = try DeviceID("copier-6")
        for (id, deviceKey) in [(device, key), (other, otherKey)] {
            try await system.enrollScriptedDevice(id, key: deviceKey)
        }
        let uplink = AgentService.uplinkURL(system.serverURL)

        /// Connects as `id`, asks for `card`'s copier grant when given, and returns (the access
        /// grant, the limit grant pushed on connect for alice).
        @Sendable func connect(_ id: DeviceID, _ deviceKey: SigningKey, card: String?, then script: @escaping @Sendable (
            _ access: GrantID?, _ limit: GrantID?, _ send: @Sendable (UplinkFrame) async throws -> Void, _ next: @Sendable () async throws -> UplinkFrame
        ) async throws -> Void) async throws {
            let handshake = UplinkHandshake(deviceID: id, deviceKey: deviceKey)
            try await UplinkScript.exchange(uplink) { send, next in
                try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
                try await send(try handshake.answer(try await next()).proof)
                #expect(try handshake.result(try await next()) == nil)
                var limit: GrantID?
                var access: GrantID?
                if let card {
                    let request = try UplinkMessage.GrantRequest(credential: .card(try .init(card), pin: try .init("1234")), resourceID: try ResourceID(id.value),
                                                                 resourceType: .copier, deviceTime: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)))
                    try await send(UplinkFrame(.grantRequest(request), requestID: 7))
                }
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline, limit == nil || (card != nil && access == nil) {
                    guard let frame = await withoutActuallyEscaping(next, do: { next in await UplinkScript.frame(within: deadline - ContinuousClock.now, next) })
                    else { break }
                    switch frame.message {
                    case let .limitUpdate(update):
                        for token in update.limitGrants {
                            let grant = try SignedLimitGrant(wireBytes: token).limitGrant
                            if grant.userID.value == "alice" { limit = grant.grantID }
                        }
                    case let .grant(grant): access = try SignedGrant(wireBytes: grant.accessGrant).claims.grantID
                    case let .refusal(refusal): Issue.record("grant refused: \(refusal)")
                    default: break
                    }
                }
                try await script(access, limit, send, next)
            }
        }

        /// Sends `events` and waits for their acknowledgement (or 10 s: an old server that
        /// never answers fails the test, it does not hang it).
        @Sendable func sendAndAwaitAck(_ events: [Event], _ send: @Sendable (UplinkFrame) async throws -> Void, _ next: @Sendable () async throws -> UplinkFrame) async throws -> UInt64? {
            try await send(UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: events[0].sequence, events: events.map { $0.wireBytes() }))))
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                guard let frame = await withoutActuallyEscaping(next, do: { next in await UplinkScript.frame(within: deadline - ContinuousClock.now, next) })
                else { return nil }
                if case let .ack(ack) = frame.message, ack.sequence >= events.last!.sequence { return ack.sequence }
                if case let .error(error) = frame.message { Issue.record("batch refused: \(error.text)"); return nil }
            }
            return nil
        }

        @Sendable func job(_ number: UInt32, user: String, grant: GrantID, after previous: Event?, device: DeviceID) throws -> Event {
            let time = Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970) - 60 + Int64(number))
            let body = EventBody.copyJob(try CopyJobEvent(
                sessionID: UInt64(number), copierJobSequence: number, userID: try UserID(user), grantID: grant, pages: 2, copies: 1,
                colourPages: 0, monoPages: 2, duplex: false, paperSize: .a4, started: time.adding(seconds: -5), ended: time, end: .completed))
            return try previous.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
        }

        // copier-6 gets a real grant for alice: copier-7 must not use it.
        let foreign = Granted()
        try await connect(other, otherKey, card: "0042") { access, _, _, _ in foreign.access = access }
        let foreignGrant = try #require(foreign.access, "copier-6 got alice's grant")

        let seen = Granted()
        let forged = GrantID(high: 0x0bad, low: 0x9a47)
        try await connect(device, key, card: "0042") { access, limit, send, next in
            guard let access, let limit else { Issue.record("no grants for alice: \(String(describing: access)), \(String(describing: limit))"); return }
            seen.access = access
            seen.limit = limit
            var events: [Event] = []
            for (user, grant) in [
                ("alice", access),         // online: the session's own grant: charged
                ("alice", limit),          // offline: the limit grant it holds: charged
                ("bob", forged),           // never issued: not charged
                ("bob", access),           // alice's grant, another user: not charged
                ("alice", foreignGrant),   // issued to copier-6: not charged
            ] {
                events.append(try job(UInt32(events.count + 1), user: user, grant: grant, after: events.last, device: device))
            }
            seen.acknowledged = try await sendAndAwaitAck(events, send, next)
        }
        #expect(seen.acknowledged == 5, "every event acknowledged, none left for the device to resend")

        try system.stopServer()
        let store = try CentralServer.SQLiteServerStore(dataDirectory: system.data)
        #expect(try await store.events(device: device, from: 1, limit: 10).count == 5, "all five stored")
        let charges = try await store.charges(limit: 100).filter { $0.jobID.hasPrefix("copier-7:") }
        #expect(charges.map(\.userID.value) == ["alice", "alice"], "\(charges)")
        #expect(try await store.ledger(userID: try UserID("bob"), limit: 10).isEmpty, "bob is charged nothing")
        let flagged = try await store.securityEvents(limit: 100).filter { $0.kind == "copy job under unissued grant" }
        #expect(flagged.count == 3, "\(flagged)")
        for (user, grant) in [("bob", forged), ("bob", try #require(seen.access)), ("alice", foreignGrant)] {
            #expect(flagged.contains { $0.deviceID == device && $0.userID?.value == user && $0.detail.contains(grant.description) && $0.detail.contains("copier-7") },
                    "a security event names copier-7, \(user) and \(grant): \(flagged.map(\.detail))")
        }
        try await store.close()
    }
}

final class Granted: @unchecked Sendable {
    var access: GrantID?
    var limit: GrantID?
    var acknowledged: UInt64?
}
