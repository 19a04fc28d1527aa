import CentralServer
import DeviceAgent
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Protocol
import Testing
import TestSupport

/// The server's side of the uplink refuses what it must (issue 4): an unknown device, a forged
/// proof of identity, a tampered event batch — each answered with a reason, none stored.
@Suite("Uplink refusals against the real server", .serialized)
struct UplinkRefusalTests {
    @Test func unknownDevicesForgedProofsAndTamperedBatchesAreRefused() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        let uplink = AgentService.uplinkURL(system.serverURL)

        // 1. A device that is not enrolled.
        try await UplinkScript.exchange(uplink) { send, next in
            try await send(UplinkFrame(.hello(try UplinkMessage.Hello(deviceID: try DeviceID("ghost"), agentVersion: "test", lastEventSequence: nil, trustedKeyIDs: []))))
            let answer = try await next()
            guard case let .authResult(.refused(refusal)) = answer.message else { Issue.record("\(answer.message)"); return }
            #expect(refusal.reason == .deviceNotEnrolled)
        }

        // Enrol a device with a key of ours.
        let key = SigningKey()
        let device = try DeviceID("copier-9")
        try await system.enrollScriptedDevice(device, key: key)

        // 2. Its id, but a proof signed by another key.
        try await UplinkScript.exchange(uplink) { send, next in
            try await send(UplinkFrame(.hello(try UplinkMessage.Hello(deviceID: device, agentVersion: "test", lastEventSequence: nil, trustedKeyIDs: []))))
            guard case let .challenge(challenge) = try await next().message else { Issue.record("no challenge"); return }
            let forged = DeviceAuthentication.proof(nonce: challenge.nonce, deviceID: device, serverID: challenge.serverID, key: SigningKey())
            try await send(UplinkFrame(.authProof(forged)))
            let answer = try await next()
            guard case let .authResult(.refused(refusal)) = answer.message else { Issue.record("\(answer.message)"); return }
            #expect(refusal.reason == .authenticationFailed)
        }

        // 3. Properly authenticated, then a batch whose second event does not chain: refused, nothing
        //    stored; the honest batch after it is acknowledged.
        let handshake = UplinkHandshake(deviceID: device, deviceKey: key)
        try await UplinkScript.exchange(uplink) { send, next in
            try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
            try await send(try handshake.answer(try await next()).proof)
            #expect(try handshake.result(try await next()) == nil)
            var honest: [Event] = []
            for index in 1...3 {
                let body = EventBody.fault(try FaultEvent(component: "test", code: UInt32(index), message: "event \(index)"))
                let event = index == 1
                    ? try Event(deviceID: device, sequence: 1, previousHash: .zero, time: Timestamp(secondsSinceEpoch: 1_800_000_000), body: body)
                    : try Event(following: honest[index - 2], time: Timestamp(secondsSinceEpoch: 1_800_000_000 + Int64(index)), body: body)
                honest.append(event)
            }
            let forged = try Event(deviceID: device, sequence: 2, previousHash: Hash32.sha256([1]), time: honest[1].time, body: honest[1].body)
            try await send(UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 1, events: [honest[0], forged, honest[2]].map { $0.wireBytes() }))))
            var refused = false
            while !refused {
                let frame = try await next()
                if case let .error(error) = frame.message {
                    #expect(error.text.contains("event 2 does not continue the chain"), "\(error.text)")
                    refused = true
                }
            }
            try await send(UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 1, events: honest.map { $0.wireBytes() }))))
            var acknowledged: UInt64?
            while acknowledged == nil {
                if case let .ack(ack) = try await next().message { acknowledged = ack.sequence }
            }
            #expect(acknowledged == 3)
        }

        // Both are on record for an operator, and nothing of the tampered batch was stored.
        try system.stopServer()
        let store = try CentralServer.SQLiteServerStore(dataDirectory: system.data)
        let kinds = try await store.securityEvents(limit: 50).map(\.kind)
        #expect(kinds.contains("uplink authentication failed") && kinds.contains("event chain refused"), "\(kinds)")
        #expect(try await store.events(device: device, from: 1, limit: 10).count == 3)
        try await store.close()
    }
}
