import DeviceAgent
import Foundation
import Protocol
import TestSupport
import Testing

/// The agent's seal side against the simulated seal over libusb and umockdev: the cases of
/// issue 6's test list.
@Suite(.serialized, .enabled(if: UMockdev.preloaded, "needs umockdev's preload: run under umockdev-wrapper (scripts/test.sh does)"))
struct SealAgentUSBTests {
    /// An agent (store, camera, clock) wired to the rig's seal, started and connected.
    final class Harness {
        let rig: SealRig
        let store: AgentStore
        let agent: SealAgent
        let directory: TemporaryDirectory

        init(watchdogMilliseconds: UInt16 = 3000, photoMode: SealPhotoMode = .automatic) async throws {
            rig = try SealRig()
            directory = try TemporaryDirectory("seal-agent")
            store = try AgentStore.open(path: directory.appending("agent.sqlite"), deviceID: SealRig.box,
                                        deviceKey: try SigningKey(seed: Array(repeating: 0x0B, count: 32)))
            try store.storeServerKeys([TrustedKey(SealRig.serverKey.publicKey)])
            agent = SealAgent(
                settings: .init(deviceID: SealRig.box, sealID: SealRig.serial, location: try SealLocation(placeName: "HQ 3F legal"),
                                session: .init(watchdogMilliseconds: watchdogMilliseconds, photoMode: photoMode)),
                store: store, camera: SimulatedCamera(deviceName: "box-1"), clock: AgentClock()
            )
            await agent.start()
            try await until("the agent connects to the seal") { await self.agent.status().connected }
        }

        func events() throws -> [EventBody] { try store.events(from: 1, limit: 1000).map(\.body) }

        func sealUses() throws -> [SealUseEvent] {
            try events().compactMap { if case let .sealUse(use) = $0 { return use } else { return nil } }
        }

        func closeReasons() throws -> [SessionCloseReason] {
            try events().compactMap {
                if case let .session(event) = $0, case let .closed(reason) = event.transition { return reason }
                return nil
            }
        }

        func sealLocked() throws -> Bool { try rig.panel("status")["locked"] as? Bool == true }
    }

    @Test func three_uses_three_stamps_the_fourth_refused_and_recorded() async throws {
        let harness = try await Harness()
        let result = await harness.agent.use(grantToken: SealRig.grant(uses: 3), application: SealRig.application)
        #expect(result.unlocked, "\(result.message)")
        #expect(result.uses == 3)
        for _ in 0..<3 { #expect(try harness.rig.panel("stamp")["stamped"] as? Bool == true) }
        try await until("three uses recorded") { (try? harness.sealUses().count) == 3 }
        let fourth = try harness.rig.panel("stamp")
        #expect(fourth["stamped"] as? Bool == false)
        #expect(try harness.rig.panel("status")["refused_presses"] as? Int == 1)
        let uses = try harness.sealUses()
        #expect(uses.map(\.useNumber) == [1, 2, 3])
        #expect(uses.map(\.usesRemaining) == [2, 1, 0])
        #expect(uses.allSatisfy { $0.photoHash != nil && $0.location.placeName == "HQ 3F legal" && $0.applicationID == SealRig.application })
        try await until("the session closed, budget spent") { (try? harness.closeReasons()) == [.budgetSpent] }
        #expect(try harness.sealLocked())
        await harness.agent.stop()
    }

    @Test func unplug_in_a_session_locks_and_records_and_replug_stays_locked() async throws {
        let harness = try await Harness()
        #expect(await harness.agent.use(grantToken: SealRig.grant(uses: 3), application: SealRig.application).unlocked)
        #expect(try harness.rig.panel("stamp")["stamped"] as? Bool == true)
        _ = try harness.rig.panel("unplug")
        try await until("the session closed, seal removed") { (try? harness.closeReasons()) == [.sealRemoved] }
        #expect(await harness.agent.status().phase == "locked")
        _ = try harness.rig.panel("plug")
        try await until("the agent reconnects") { await harness.agent.status().connected }
        #expect(try harness.sealLocked())
        #expect(try harness.rig.panel("stamp")["stamped"] as? Bool == false)
        // Locked until a new unlock. The one use made is not acknowledged yet, so the server
        // may have signed the next grant without counting it: a grant of one use buys nothing.
        // The stamp's report, if the cable went before it was read or acked, comes again from
        // the seal (it resends until acked): recorded once either way.
        try await until("the stamp made before the unplug is recorded") { (try? harness.sealUses().count) == 1 }
        try await Task.sleep(for: .milliseconds(700))  // past one resend period
        #expect(try harness.sealUses().count == 1)
        #expect(!(await harness.agent.use(grantToken: SealRig.grant(id: 2, uses: 1), application: SealRig.application).unlocked))
        // Once the server has acknowledged it, a new grant opens the seal again.
        try harness.store.acknowledge(upTo: try harness.store.events(from: 1, limit: 1000).last?.sequence ?? 0)
        #expect(await harness.agent.use(grantToken: SealRig.grant(id: 3, uses: 1), application: SealRig.application).unlocked)
        await harness.agent.stop()
    }

    @Test func an_agent_that_stops_mid_session_leaves_the_seal_locked_by_its_watchdog() async throws {
        let harness = try await Harness(watchdogMilliseconds: 600)
        #expect(await harness.agent.use(grantToken: SealRig.grant(uses: 3), application: SealRig.application).unlocked)
        try await Task.sleep(for: .milliseconds(900))  // heartbeats keep it open past one period
        #expect(!(try harness.sealLocked()))
        await harness.agent.abandon()
        try await until("the seal's watchdog locks it", timeout: .seconds(10)) { (try? harness.sealLocked()) == true }
        #expect(try harness.rig.panel("status")["last_lock"] as? String == "watchdog")
        #expect(try harness.rig.panel("stamp")["stamped"] as? Bool == false)
    }

    @Test func a_revocation_mid_session_locks_at_once() async throws {
        let harness = try await Harness()
        let token = SealRig.grant(uses: 3)
        let grantID = try SignedGrant(wireBytes: token).content.grantID
        #expect(await harness.agent.use(grantToken: token, application: SealRig.application).unlocked)
        let now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        let list = try RevocationList(version: 1, issuedAt: now, keyID: SealRig.serverKey.keyID,
                                      entries: [RevocationEntry(grantID: grantID, relevantUntil: now.adding(seconds: 600))])
        try await harness.agent.applyRevocationList(token: SignedRevocationList.sign(list, with: SealRig.serverKey).wireBytes())
        // No waiting: by the time the call returns the seal has acked the lock.
        #expect(try harness.sealLocked())
        #expect(try harness.closeReasons() == [.revoked])
        #expect(try harness.rig.panel("stamp")["stamped"] as? Bool == false)
        await harness.agent.stop()
    }

    @Test func forged_and_replayed_unlock_frames_are_refused_by_the_seal() async throws {
        let rig = try SealRig()
        let channel = try rig.channel()
        defer { channel.close() }
        guard case let .deviceInfo(info) = try await channel.request(.deviceInfoRequest) else { Issue.record("no device info"); return }
        let forged = try SealUnlock(grantToken: SealRig.grant(key: SealRig.otherKey), uses: 3, nonce: info.nonce)
        guard case let .error(forgedAnswer) = try await channel.request(.unlock(forged)) else { Issue.record("a forged grant opened the seal"); return }
        #expect(forgedAnswer.code == .notAuthorised)
        guard case let .deviceInfo(second) = try await channel.request(.deviceInfoRequest) else { Issue.record("no device info"); return }
        let genuine = SealMessage.unlock(try SealUnlock(grantToken: SealRig.grant(uses: 1), uses: 1, nonce: second.nonce))
        guard case .unlocked = try await channel.request(genuine) else { Issue.record("a genuine unlock refused"); return }
        #expect(try await channel.request(.lock) == .ack)
        // The recorded unlock played again: its nonce is spent.
        guard case let .error(replayed) = try await channel.request(genuine) else { Issue.record("a replayed unlock accepted"); return }
        #expect(replayed.code == .replayed)
        // Even with a fresh nonce the grant cannot open a second session.
        guard case let .deviceInfo(third) = try await channel.request(.deviceInfoRequest),
              case let .unlock(old) = genuine else { Issue.record("no device info"); return }
        let reused = try await channel.request(.unlock(try SealUnlock(grantToken: old.grantToken, uses: 1, nonce: third.nonce)))
        guard case let .error(again) = reused else { Issue.record("a used grant opened the seal again"); return }
        #expect(again.code == .replayed)
        #expect(try rig.panel("status")["locked"] as? Bool == true)
    }
}

/// Waits (polling every 50 ms) until `condition` holds; generous limits, the machine is shared.
func until(_ what: String, timeout: Duration = .seconds(15), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ProcessFailure(description: "timed out after \(timeout) waiting for: \(what)")
}
