import DeviceAgent
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Protocol
import TestSupport

/// One simulated agent's end of the uplink (docs/protocol-uplink.md): a WebSocket to `/uplink`,
/// authenticated with the device's own enrolled key through the agent's own `UplinkHandshake`
/// (hello → challenge → proof → result). The inbound iterator is not Sendable, so a peer lives
/// inside the connection's handler and is used only there.
final class UplinkPeer {
    private var messages: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter

    init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        messages = inbound.messages(maxSize: UplinkLimits.defaultMaximumFrameSize).makeAsyncIterator()
        self.outbound = outbound
    }

    func send(_ frame: UplinkFrame) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame.encode())))
    }

    /// The next uplink frame; nil once the server has closed the connection.
    func next() async throws -> UplinkFrame? {
        while let message = try await messages.next() {
            guard case let .binary(buffer) = message else { continue }
            return try UplinkFrame.decode(Array(buffer.readableBytesView))
        }
        return nil
    }

    func nextOrThrow() async throws -> UplinkFrame {
        guard let frame = try await next() else { throw ProcessFailure(description: "the server closed the uplink") }
        return frame
    }

    /// Authenticates as `device`; returns the last event sequence the server holds for it.
    @discardableResult
    func authenticate(as device: BenchDevice) async throws -> UInt64? {
        let handshake = UplinkHandshake(deviceID: device.id, deviceKey: device.key)
        try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
        try await send(try handshake.answer(try await nextOrThrow()).proof)
        return try handshake.result(try await nextOrThrow())
    }

    /// Reads (and drops) what the server pushes until it closes the connection.
    func drain() async throws {
        while try await next() != nil {}
    }

    /// Connects to `url`, authenticates as `device`, and hands `body` the peer and the last event
    /// sequence the server holds; returns when `body` has returned and the connection is closed.
    static func connect(
        _ url: String, as device: BenchDevice, logger: Logger, _ body: @escaping @Sendable (UplinkPeer, UInt64?) async throws -> Void
    ) async throws {
        _ = try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: UplinkLimits.defaultMaximumFrameSize + 64), logger: logger
        ) { inbound, outbound, _ in
            let peer = UplinkPeer(inbound: inbound, outbound: outbound)
            let held = try await peer.authenticate(as: device)
            try await body(peer, held)
        }
    }
}

/// A device's event log as the agent would send it: a chain of copy-job events (the kind the
/// server does the most with: each is checked, stored, priced and charged), cut into batches.
enum SimulatedEventLog {
    /// `count` chained copy jobs for `device` by `users` in turn, one a second up to now (so the
    /// server's quota sums run over this period's jobs, as they would), cut into batches.
    static func batches(device: DeviceID, count: Int, batchSize: Int, users: [UserID]) throws -> [UplinkMessage.EventBatch] {
        let start = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)).adding(seconds: -Int64(count))
        var events: [[UInt8]] = []
        events.reserveCapacity(count)
        var previous: Event?
        for index in 0..<count {
            let time = start.adding(seconds: Int64(index))
            let body = EventBody.copyJob(try copyJob(index, user: users[index % users.count], at: time))
            let event = try previous.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
            events.append(event.wireBytes())
            previous = event
        }
        return try stride(from: 0, to: count, by: batchSize).map { first in
            try UplinkMessage.EventBatch(firstSequence: UInt64(first + 1), events: Array(events[first..<min(count, first + batchSize)]))
        }
    }

    /// A plausible job: 1 to 40 pages, 1 to 3 copies, a quarter of them colour, mostly A4.
    static func copyJob(_ index: Int, user: UserID, at time: Timestamp) throws -> CopyJobEvent {
        let job = UInt32(truncatingIfNeeded: index + 1)
        let pages = 1 + job % 40
        let colour = index % 4 == 0 ? pages : pages / 5
        return try CopyJobEvent(
            sessionID: UInt64(index / 3 + 1), copierJobSequence: job, userID: user,
            grantID: GrantID(high: UInt64(index / 3 + 1), low: 0xbe4c), pages: pages, copies: 1 + job % 3,
            colourPages: colour, monoPages: pages - colour, duplex: index % 2 == 0, paperSize: index % 10 == 0 ? .a3 : .a4,
            started: time.adding(seconds: -Int64(pages) * 2), ended: time, end: .completed
        )
    }
}

extension UplinkPeer {
    /// Sends `batches` in order with at most `window` unacknowledged (the agent's own
    /// `UplinkClient` keeps up to 4 batches in flight), stopping sending at `deadline`; records
    /// each acknowledged batch's latency from send to ack, in ms, in `latencies`.
    func send(
        _ batches: ArraySlice<UplinkMessage.EventBatch>, window: Int, until deadline: ContinuousClock.Instant, latencies: ResultBox<Double>
    ) async throws {
        let clock = ContinuousClock()
        var sentAt: [ContinuousClock.Instant] = []
        var acknowledged = 0
        let batches = Array(batches)
        while acknowledged < batches.count {
            while sentAt.count < batches.count, sentAt.count - acknowledged < window, clock.now < deadline {
                try await send(UplinkFrame(.eventBatch(batches[sentAt.count])))
                sentAt.append(clock.now)
            }
            if sentAt.count == acknowledged { break }
            let frame = try await nextOrThrow()
            switch frame.message {
            case let .ack(ack):
                let now = clock.now
                while acknowledged < sentAt.count, batches[acknowledged].lastSequence <= ack.sequence {
                    latencies.append((now - sentAt[acknowledged]).seconds * 1000)
                    acknowledged += 1
                }
            case let .error(error):
                throw ProcessFailure(description: "the server refused a batch: \(error.code): \(error.text)")
            default:
                continue  // keys and limit grants the server pushes
            }
        }
    }
}
