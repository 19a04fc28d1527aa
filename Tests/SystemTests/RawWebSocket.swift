import Foundation
import Protocol

/// A WebSocket client on a raw socket, for what a well-behaved client library will not send: a
/// frame whose header claims more than follows, half a header, a frame over the server's limit.
/// Blocking (run it on a thread of its own, `onThread`).
final class RawWebSocket: @unchecked Sendable {
    static let upgrade = "GET /uplink HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    let connection: RawTCPConnection

    /// Connects and asks for the upgrade (its answer is read with the rest by `readUntilClosed`).
    init(port: Int) throws {
        connection = try RawTCPConnection(port: port)
        guard connection.send(Self.upgrade) else { throw RawTCPConnection.Failure(description: "the upgrade request was not sent") }
    }

    /// A client frame (masked, as RFC 6455 requires) of `opcode` whose header announces
    /// `claimedLength` bytes (by default the payload's) and carries `payload`. False once the
    /// server has closed the connection.
    @discardableResult
    func send(opcode: UInt8 = 0x2, _ payload: [UInt8], fin: Bool = true, claimedLength: Int? = nil) -> Bool {
        connection.send(Self.frameHead(opcode: opcode, fin: fin, length: claimedLength ?? payload.count) + payload)
    }

    /// The first `count` bytes of a frame's head only (a client that stops mid-header).
    @discardableResult
    func sendHeadPrefix(_ count: Int, claimedLength: Int) -> Bool {
        connection.send(Array(Self.frameHead(opcode: 0x2, fin: true, length: claimedLength).prefix(count)))
    }

    /// Payload bytes after a head (the mask key is all zeros, so they go as they are).
    @discardableResult
    func sendPayloadBytes(_ bytes: [UInt8]) -> Bool { connection.send(bytes) }

    /// The head of a masked client frame; the mask key is 0, so the payload goes as it is.
    static func frameHead(opcode: UInt8, fin: Bool, length: Int) -> [UInt8] {
        var head: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch length {
        case ..<126: head.append(0x80 | UInt8(length))
        case ..<65_536: head += [0x80 | 126, UInt8(length >> 8), UInt8(length & 0xff)]
        default: head += [0x80 | 127] + (0..<8).reversed().map { UInt8((length >> ($0 * 8)) & 0xff) }
        }
        return head + [0, 0, 0, 0]
    }

    /// What the server sent until it closed or `limit` passed since the connection opened.
    func readUntilClosed(limit: Duration) -> Received {
        let (bytes, closed) = connection.readBytesUntilClosed(limit: limit)
        return Received(bytes: bytes, closedAfter: closed)
    }

    /// The server's side of one connection: its HTTP answer, then its WebSocket frames.
    struct Received: Sendable, CustomStringConvertible {
        var upgraded = false
        /// (opcode, payload) of each whole frame, in order.
        var frames: [(opcode: UInt8, payload: [UInt8])] = []
        let closedAfter: Duration?

        init(bytes: [UInt8], closedAfter: Duration?) {
            self.closedAfter = closedAfter
            let end = Array("\r\n\r\n".utf8)
            guard let head = (0...max(0, bytes.count - 4)).first(where: { bytes.count >= $0 + 4 && Array(bytes[$0..<$0 + 4]) == end }) else { return }
            upgraded = String(decoding: bytes[..<head], as: UTF8.self).hasPrefix("HTTP/1.1 101")
            var at = head + 4
            while at + 2 <= bytes.count {
                let opcode = bytes[at] & 0x0f
                var length = Int(bytes[at + 1] & 0x7f)
                var start = at + 2
                if length == 126, start + 2 <= bytes.count {
                    length = Int(bytes[start]) << 8 | Int(bytes[start + 1]); start += 2
                } else if length == 127, start + 8 <= bytes.count {
                    length = bytes[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }; start += 8
                }
                guard start + length <= bytes.count else { break }
                frames.append((opcode, Array(bytes[start..<start + length])))
                at = start + length
            }
        }

        /// The close frame's code and reason, if the server sent one.
        var close: (code: UInt16, reason: String)? {
            guard let frame = frames.first(where: { $0.opcode == 0x8 }), frame.payload.count >= 2 else { return nil }
            return (UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]), String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
        }

        /// The uplink frames among the binary ones.
        var uplinkFrames: [UplinkFrame] {
            frames.filter { $0.opcode == 0x2 }.compactMap { try? UplinkFrame.decode($0.payload) }
        }

        var description: String {
            "upgraded \(upgraded), close \(close.map { "\($0.code) \($0.reason)" } ?? "none"), \(uplinkFrames.map(\.message)), closed after \(closedAfter.map { "\($0)" } ?? "never")"
        }
    }
}
