import CentralServer
import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 14: identities that are not what they claim, against the real server. A device that is
/// not enrolled, one that is disabled, one that claims another's id with its own valid key, and
/// a proof captured from a real device's connection replayed on a new one: each refused with a
/// reason and closed, nothing stored, the honest device served after each. (UplinkRefusalTests
/// and UplinkDisableTests check the refusals themselves; these add the close, the rows and the
/// honest device.)
@Suite("Uplink under attack: identities", .serialized)
struct UplinkIdentityAttackSystemTests {
    @Test func strangersImpostorsAndReplaysAreRefusedAndNothingIsStored() async throws {
        let target = try await UplinkAttackTarget()
        defer { target.stop() }
        let attacker = (id: try DeviceID("copier-7"), key: SigningKey())
        let victim = (id: try DeviceID("copier-8"), key: SigningKey())
        let disabled = (id: try DeviceID("copier-6"), key: SigningKey())
        for device in [attacker, victim, disabled] { try await target.system.enrollScriptedDevice(device.id, key: device.key) }
        try target.system.serverCLI(["device", "disable", "--device", disabled.id.value])
        let before = try target.stored()

        // (d) Not enrolled: a hello for a device the server never saw, with a key of its own.
        let ghost = (id: try DeviceID("ghost-1"), key: SigningKey())
        var refusal = try await UplinkAttackSystemTests.attack(target) { connection in
            try await connection.send(try UplinkHandshake(deviceID: ghost.id, deviceKey: ghost.key).hello(lastEventSequence: nil, trustedKeyIDs: []))
        }
        refusal.expect(refused: .deviceNotEnrolled)
        try await target.expectUnharmed(after: "a device that is not enrolled", rows: before)

        // (e) Disabled: its own key, its own id.
        refusal = try await UplinkAttackSystemTests.attack(target) { connection in
            try await connection.send(try UplinkHandshake(deviceID: disabled.id, deviceKey: disabled.key).hello(lastEventSequence: nil, trustedKeyIDs: []))
        }
        refusal.expect(refused: .deviceNotEnrolled)
        try await target.expectUnharmed(after: "a disabled device", rows: before)

        // (f) The attacker's own valid key, the victim's id: a proof for the victim's id signed by
        //     the attacker's key, and the attacker's own genuine proof (for its id) on the victim's hello.
        for (what, signedFor) in [("signed for the victim's id", victim.id), ("the attacker's own proof", attacker.id)] {
            refusal = try await UplinkAttackSystemTests.attack(target) { connection in
                try await connection.send(try UplinkHandshake(deviceID: victim.id, deviceKey: attacker.key).hello(lastEventSequence: nil, trustedKeyIDs: []))
                guard case let .challenge(challenge) = try await connection.next().message else { throw ProcessFailure(description: "no challenge") }
                let proof = DeviceAuthentication.proof(nonce: challenge.nonce, deviceID: signedFor, serverID: challenge.serverID, key: attacker.key)
                try await connection.send(UplinkFrame(.authProof(proof)))
            }
            refusal.expect(refused: .authenticationFailed)
            try await target.expectUnharmed(after: "the victim's id with the attacker's key (\(what))", rows: before)
        }

        // (g) Replay: the victim authenticates for real; its proof (and hello), captured, are
        //     replayed on a new connection. The new challenge differs, so the proof cannot verify.
        let captured = Captured()
        try await UplinkScript.session(target.uplink) { connection in
            let handshake = UplinkHandshake(deviceID: victim.id, deviceKey: victim.key)
            let hello = try handshake.hello(lastEventSequence: nil, trustedKeyIDs: [])
            try await connection.send(hello)
            let challenge = try await connection.next()
            let proof = try handshake.answer(challenge).proof
            try await connection.send(proof)
            _ = try handshake.result(try await connection.next())
            if case let .challenge(message) = challenge.message { captured.nonces.append(message.nonce) }
            captured.frames = [hello.encode(), proof.encode()]
        }
        let replayed = captured.frames
        try #require(replayed.count == 2, "the victim authenticated")
        refusal = try await UplinkAttackSystemTests.attack(target) { connection in
            try await connection.send(bytes: replayed[0])
            if case let .challenge(message) = try await connection.next().message { captured.nonces.append(message.nonce) }
            try await connection.send(bytes: replayed[1])
        }
        #expect(captured.nonces.count == 2 && captured.nonces[0] != captured.nonces[1], "a fresh challenge for each connection: \(captured.nonces)")
        refusal.expect(refused: .authenticationFailed)
        try await target.expectUnharmed(after: "a replayed handshake", rows: before)

        // The impostor and the replay are on record for an operator, each as a failed proof.
        try target.system.stopServer()
        let store = try CentralServer.SQLiteServerStore(dataDirectory: target.system.data)
        let failures = try await store.securityEvents(limit: 100).filter { $0.kind == "uplink authentication failed" && $0.deviceID == victim.id }
        try await store.close()
        #expect(failures.count == 3, "\(failures.map(\.detail))")
    }
}

/// What the victim's real connection left for the replay.
final class Captured: @unchecked Sendable {
    var frames: [[UInt8]] = []
    var nonces: [UplinkMessage.AuthNonce] = []
}
