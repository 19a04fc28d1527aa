import CentralServer
import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 21 item 6: a device disabled while connected kept its connection, and an event batch
/// on it was acknowledged and charged after the disable. Now nothing more is taken from it (its
/// events wait on the device, unacknowledged), its connection is cut within a poll of the
/// server, and it cannot connect again. Real server process, the disable from the CLI.
@Suite("Uplink: a disabled device is cut off", .serialized)
struct UplinkDisableTests {
    @Test func aDeviceDisabledWhileConnectedIsCutAndItsNextBatchIsNotTaken() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        let uplink = AgentService.uplinkURL(system.serverURL)
        let key = SigningKey()
        let device = try DeviceID("copier-9")
        try await system.enrollScriptedDevice(device, key: key)
        var events: [Event] = []
        for index in 1...2 {
            let body = EventBody.fault(try FaultEvent(component: "test", code: UInt32(index), message: "event \(index)"))
            let time = Timestamp(secondsSinceEpoch: 1_800_000_000 + Int64(index))
            events.append(try events.last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body))
        }
        let handshake = UplinkHandshake(deviceID: device, deviceKey: key)
        let serverCLI = system.serverCLI
        let seen = Seen()
        try await UplinkScript.exchange(uplink) { [events] send, next in
            try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
            try await send(try handshake.answer(try await next()).proof)
            #expect(try handshake.result(try await next()) == nil)
            try await send(UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 1, events: [events[0].wireBytes()]))))
            while true { if case let .ack(ack) = try await next().message { #expect(ack.sequence == 1); break } }

            _ = try serverCLI(["device", "disable", "--device", "copier-9"])
            try? await send(UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 2, events: [events[1].wireBytes()]))))
            // Whatever comes until the server closes: never an ack; the reason, said once.
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let received = await withoutActuallyEscaping(next) { next in await UplinkScript.frame(within: deadline - ContinuousClock.now, next) }
                guard let frame = received else { seen.closed = true; break }
                switch frame.message {
                case .ack: seen.acknowledged = true
                case let .error(error): seen.reasons.append(error.text)
                default: break
                }
            }
            seen.after = ContinuousClock.now - (deadline - .seconds(10))
        }
        #expect(seen.closed && seen.after < .seconds(9), "the server closed the connection (\(seen.after))")
        #expect(!seen.acknowledged, "a batch after the disable was acknowledged")
        #expect(seen.reasons.contains { $0.contains("copier-9") && $0.contains("disabled") }, "\(seen.reasons)")

        // It cannot come back while disabled.
        try await UplinkScript.exchange(uplink) { send, next in
            try await send(try handshake.hello(lastEventSequence: 1, trustedKeyIDs: []))
            guard case let .authResult(.refused(refusal)) = try await next().message else { Issue.record("not refused"); return }
            #expect(refusal.reason == .deviceNotEnrolled)
        }
        try system.stopServer()
        let store = try CentralServer.SQLiteServerStore(dataDirectory: system.data)
        #expect(try await store.events(device: device, from: 1, limit: 10).count == 1, "the event after the disable waits on the device")
        try await store.close()
    }

    /// An idle connection is cut too, with nothing sent: within the server's 2 s poll.
    @Test func anIdleConnectionOfADisabledDeviceIsCut() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        let key = SigningKey()
        let device = try DeviceID("copier-8")
        try await system.enrollScriptedDevice(device, key: key)
        let handshake = UplinkHandshake(deviceID: device, deviceKey: key)
        let serverCLI = system.serverCLI
        let seen = Seen()
        try await UplinkScript.exchange(AgentService.uplinkURL(system.serverURL)) { send, next in
            try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
            try await send(try handshake.answer(try await next()).proof)
            #expect(try handshake.result(try await next()) == nil)
            _ = try serverCLI(["device", "disable", "--device", "copier-8"])
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(10) {
                let received = await withoutActuallyEscaping(next) { next in await UplinkScript.frame(within: .seconds(10) - (ContinuousClock.now - started), next) }
                guard let frame = received else { seen.closed = true; break }
                if case let .error(error) = frame.message { seen.reasons.append(error.text) }
            }
            seen.after = ContinuousClock.now - started
        }
        #expect(seen.closed && seen.after < .seconds(6), "closed: \(seen.closed) after \(seen.after)")
        #expect(seen.reasons.contains { $0.contains("was disabled") }, "\(seen.reasons)")
    }
}

/// What the script saw, read after the connection ends.
final class Seen: @unchecked Sendable {
    var closed = false
    var acknowledged = false
    var reasons: [String] = []
    var after: Duration = .zero
}
