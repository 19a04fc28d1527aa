import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client on loopback that plays a client misbehaving below HTTP: it sends
/// exactly the bytes it is given (half a header, garbage, a head without its body) and
/// reports when the server closed the connection.
final class RawTCPConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    private let descriptor: Int32
    private let opened = ContinuousClock.now

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Writes all of `text`; false once the server has closed (or reset) the connection.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// What the server sent until it closed the connection or `limit` passed since it was
    /// opened; `closedAfter` is nil when it was still open at the limit.
    func readUntilClosed(limit: Duration) -> (text: String, closedAfter: Duration?) {
        let (bytes, closed) = readBytesUntilClosed(limit: limit)
        return (String(decoding: bytes, as: UTF8.self), closed)
    }

    /// The same, as bytes (WebSocket frames after an upgrade).
    func readBytesUntilClosed(limit: Duration) -> (bytes: [UInt8], closedAfter: Duration?) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = limit - (ContinuousClock.now - opened)
            guard left > .zero else { return (received, nil) }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&entry, 1, milliseconds) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (received, ContinuousClock.now - opened) }
            received += buffer[..<count]
        }
    }
}
