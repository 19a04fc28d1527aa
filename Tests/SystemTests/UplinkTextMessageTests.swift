import CentralServer
import DeviceAgent
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Protocol
import Testing
import TestSupport

/// Issue 21 item 9: the docs call a text WebSocket message on the uplink a protocol error, and
/// the server ignored it silently. It is answered with a malformedFrame error naming it, and
/// the connection is closed. Real server process.
@Suite("Uplink: text messages", .serialized)
struct UplinkTextMessageTests {
    @Test func aTextMessageIsAProtocolErrorAndEndsTheConnection() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        let seen = Seen()
        _ = try? await WebSocketClient.connect(url: AgentService.uplinkURL(system.serverURL), configuration: .init(maxFrameSize: 1 << 21),
                                              logger: Logger(label: "test")) { inbound, outbound, _ in
            try await outbound.write(.text("hello"))
            var messages = inbound.messages(maxSize: 1 << 21).makeAsyncIterator()
            let started = ContinuousClock.now
            let reading = Task {
                while let message = try? await messages.next() {
                    if case let .binary(buffer) = message, let frame = try? UplinkFrame.decode(Array(buffer.readableBytesView)),
                       case let .error(error) = frame.message {
                        seen.reasons.append("\(error.code): \(error.text)")
                    }
                }
                seen.closed = true
                seen.after = ContinuousClock.now - started
            }
            let timeout = Task { try await Task.sleep(for: .seconds(10)); reading.cancel() }
            _ = await reading.value
            timeout.cancel()
        }
        #expect(seen.reasons.contains { $0.contains("malformedFrame") && $0.contains("text WebSocket message") }, "\(seen.reasons)")
        #expect(seen.closed && seen.after < .seconds(9), "closed by the server: \(seen.after)")
    }
}
