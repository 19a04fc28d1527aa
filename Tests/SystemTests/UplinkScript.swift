import DeviceAgent
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Protocol
import Testing
import TestSupport

/// One WebSocket connection to the server's uplink that a test plays itself, as a device or as
/// an attacker: uplink frames or any bytes out, the server's uplink frames in, and the close
/// frame the server ended it with.
enum UplinkScript {
    typealias Send = @Sendable (UplinkFrame) async throws -> Void
    typealias Next = @Sendable () async throws -> UplinkFrame

    /// Runs `script` on one connection; `send` writes a frame, `next` returns the server's next.
    static func exchange(_ url: String, _ script: @escaping @Sendable (_ send: Send, _ next: Next) async throws -> Void) async throws {
        try await session(url) { connection in try await script(connection.send, connection.next) }
    }

    /// Runs `script` on one connection. The close frame the server sent, or nil when the server
    /// sent none (or the script closed first: a script that wants the server's close waits for
    /// it with `UplinkConnection.untilClosed`).
    @discardableResult
    static func session(_ url: String, _ script: @escaping @Sendable (UplinkConnection) async throws -> Void) async throws -> WebSocketCloseFrame? {
        let finished = Finished()
        do {
            return try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 21), logger: Logger(label: "test")) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 21).makeAsyncIterator()
                let received = AsyncStream<UplinkFrame>.makeStream()
                let reader = Task {
                    while let message = try? await messages.next() {
                        if case let .binary(buffer) = message, let frame = try? UplinkFrame.decode(Array(buffer.readableBytesView)) {
                            received.continuation.yield(frame)
                        }
                    }
                    received.continuation.finish()
                }
                try await script(UplinkConnection(outbound: outbound, frames: IteratorBox(received.stream.makeAsyncIterator())))
                finished.value = true
                try? await outbound.close(.normalClosure, reason: nil)
                reader.cancel()
            }
        } catch {
            // The server closes right after a refusal; once the script has run, that is the end.
            guard finished.value else { throw error }
            return nil
        }
    }

    /// The next frame, or nil when the connection ended or none came within `timeout` (a
    /// server that never cuts the connection must fail the test, not hang it).
    static func frame(within timeout: Duration, _ next: @escaping @Sendable () async throws -> UplinkFrame) async -> UplinkFrame? {
        await withTaskGroup(of: UplinkFrame?.self) { group in
            group.addTask { try? await next() }
            group.addTask { try? await Task.sleep(for: max(timeout, .zero)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// What a script can do on its connection.
struct UplinkConnection: Sendable {
    let outbound: WebSocketOutboundWriter
    let frames: IteratorBox

    func send(_ frame: UplinkFrame) async throws { try await send(bytes: frame.encode()) }

    /// Any bytes as one binary WebSocket message.
    func send(bytes: [UInt8]) async throws { try await outbound.write(.binary(ByteBuffer(bytes: bytes))) }

    /// One binary WebSocket message in several WebSocket frames.
    func send(fragments: [[UInt8]]) async throws {
        for (index, fragment) in fragments.enumerated() {
            try await outbound.write(.custom(.init(fin: index == fragments.count - 1, opcode: index == 0 ? .binary : .continuation,
                                                   data: ByteBuffer(bytes: fragment))))
        }
    }

    func next() async throws -> UplinkFrame { try await frames.next() }

    /// The frames the server sends until it closes the connection; `closed` false when it was
    /// still open after `timeout`.
    func untilClosed(within timeout: Duration) async -> (frames: [UplinkFrame], closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var seen: [UplinkFrame] = []
        while ContinuousClock.now < deadline {
            guard let frame = await UplinkScript.frame(within: deadline - ContinuousClock.now, frames.next) else {
                return (seen, ContinuousClock.now < deadline)
            }
            seen.append(frame)
        }
        return (seen, false)
    }

    /// Authenticates as `device` with `key`; throws unless accepted.
    func authenticate(_ device: DeviceID, key: SigningKey) async throws {
        let handshake = UplinkHandshake(deviceID: device, deviceKey: key)
        try await send(try handshake.hello(lastEventSequence: nil, trustedKeyIDs: []))
        try await send(try handshake.answer(try await next()).proof)
        _ = try handshake.result(try await next())
    }
}

final class Finished: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    var value: Bool {
        get { lock.withLock { done } }
        set { lock.withLock { done = newValue } }
    }
}

/// Lets a script pull frames from an iterator owned by the connection.
final class IteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<UplinkFrame>.AsyncIterator
    init(_ iterator: AsyncStream<UplinkFrame>.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> UplinkFrame {
        guard let frame = await iterator.next() else { throw ProcessFailure(description: "the server closed the connection") }
        return frame
    }
}
