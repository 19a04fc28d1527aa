import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 14: clients that never prove who they are, against the real server with a short
/// handshake deadline: one that stops in the middle of a frame, and 1,000 that upgrade and say
/// nothing while an honest device keeps working. Each is told why and closed at the deadline
/// (the server once cut them without a word), and the server's descriptors come back down.
@Suite("Uplink under attack: slow and silent clients", .serialized)
struct UplinkSlowClientSystemTests {
    /// `--uplink-handshake-timeout-seconds` of these servers.
    static let deadline = 3
    /// After the close frame, the server gives a client that does not answer it 2 s (UplinkEndpoint.closeGrace).
    static let grace = Duration.seconds(2)

    /// (h) A frame begun and never finished: half a WebSocket header; a header and some of its
    /// payload; a real hello, then half of the proof's frame.
    @Test func aClientThatNeverFinishesItsFrameIsClosedAtTheDeadline() async throws {
        let target = try await UplinkAttackTarget(handshakeTimeout: Self.deadline)
        defer { target.stop() }
        let before = try target.stored()
        let port = target.port
        let hello = try UplinkAttackSystemTests.hello(target.honest.id).encode()
        let attacks: [@Sendable (RawWebSocket) -> Void] = [
            { $0.sendHeadPrefix(3, claimedLength: 300) },
            { socket in socket.send([UInt8](repeating: 1, count: 40), claimedLength: 300) },
            // The challenge comes; the proof's frame never ends (what it would hold does not matter).
            { socket in
                socket.send(hello)
                socket.send(Array(hello.prefix(30)), claimedLength: 200)
            },
        ]
        let seen = try await withThrowingTaskGroup(of: RawWebSocket.Received.self) { group in
            for attack in attacks {
                group.addTask {
                    try await onThread {
                        let socket = try RawWebSocket(port: port)
                        attack(socket)
                        return socket.readUntilClosed(limit: .seconds(15))
                    }.value
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let limit = Duration.seconds(Self.deadline)
        for received in seen {
            let reason = "no proof of identity within \(limit)"
            #expect(received.upgraded && received.close?.code == 1008 && received.close?.reason == reason, "\(received)")
            #expect(received.uplinkFrames.contains { if case let .error(error) = $0.message { error.code == .notAuthenticated && error.text == reason } else { false } },
                    "\(received)")
            // Closed at the deadline plus the grace for a client that does not answer the close.
            #expect(received.closedAfter.map { $0 >= limit - .milliseconds(500) && $0 < limit + Self.grace + .seconds(4) } == true, "\(received)")
        }
        try await target.expectUnharmed(after: "clients that never finish a frame", rows: before)
    }

    /// (i) 1,000 connections that upgrade and never authenticate (in a child process, see
    /// UplinkFloodClient), while the honest device connects, authenticates and is answered
    /// again and again. All 1,000 are told why and closed at the deadline; the server's open
    /// descriptors come back to where they were.
    @Test func aThousandSilentConnectionsAreClosedWhileAnHonestDeviceIsServed() async throws {
        let connections = 1000
        let floodDeadline = 6
        let target = try await UplinkAttackTarget(handshakeTimeout: floodDeadline)
        defer { target.stop() }
        let before = try target.stored()
        #expect(await target.honestDeviceServed() == nil)
        let baseline = target.serverDescriptors
        let flood = try UplinkFloodClient(port: target.port, connections: connections, limit: 40, directory: target.system.directory.path)
        let opened = try flood.parse(try await onThread { try flood.nextLine(timeout: .seconds(40)) }.value)
        #expect(opened["opened"] as? Int == connections, "\(opened)")
        let peak = target.serverDescriptors
        let summary = onThread { try flood.nextLine(timeout: .seconds(45)) }
        // The honest device, over and over while the 1,000 are open (and being closed).
        var served = 0
        var problems: [String] = []
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(floodDeadline) {
            if let problem = await target.honestDeviceServed(within: .seconds(5)) { problems.append(problem) } else { served += 1 }
            try await Task.sleep(for: .milliseconds(300))
        }
        let report = try flood.parse(try await summary.value)
        #expect(problems.isEmpty && served >= 3, "the honest device during the flood: served \(served) times, failed: \(problems)")
        #expect(report["upgraded"] as? Int == connections && report["still_open"] as? Int == 0, "\(report)")
        let reason = "1008 no proof of identity within \(Duration.seconds(floodDeadline))"
        #expect((report["closes"] as? [String: Int]) == [reason: connections], "\(report)")
        #expect(report["error_frames"] as? Int == connections, "\(report)")
        // The close frame at the deadline, the connection cut after the grace (the flood never answers).
        let closeFrames = report["close_frame_after"] as? [Double] ?? []
        let closed = report["closed_after"] as? [Double] ?? []
        let limit = Double(floodDeadline)
        #expect(closeFrames.count == 3 && closeFrames[0] >= limit - 0.5 && closeFrames[1] < limit + 4, "close frames after \(closeFrames)")
        #expect(closed.count == 3 && closed[1] < limit + 2 + 5, "connections closed after \(closed)")
        #expect(peak > baseline + connections / 2, "the flood was on the server: \(baseline) descriptors, \(peak) with it")
        try await eventually("the server's descriptors are back near \(baseline)", timeout: .seconds(10)) { target.serverDescriptors <= baseline + 10 }
        try await target.expectUnharmed(after: "1,000 silent connections", rows: before)
    }
}
