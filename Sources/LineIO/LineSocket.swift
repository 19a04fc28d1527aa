import Glibc

/// A connected TCP socket that carries one text line per message, each ended by `\n` (a `\r`
/// before it is dropped). Owns its descriptor.
public final class LineSocket {
    public let fd: Int32
    private var buffer: [UInt8] = []
    /// Set after an over-long line, until its newline has gone by.
    private var discarding = false

    public enum Read: Equatable, Sendable {
        case line(String)
        /// A line longer than the limit was skipped.
        case tooLong
        /// The peer closed the connection (or it failed).
        case closed
        /// Nothing complete arrived before the caller gave up.
        case gaveUp
    }

    private var isOpen = true

    public init(fd: Int32) { self.fd = fd }

    deinit { close() }

    public func close() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(fd)
    }

    /// Waits for the next line. `keepWaiting` is asked every `pollMilliseconds` while nothing
    /// arrives; returning false gives up.
    public func readLine(maximumLength: Int, pollMilliseconds: Int32 = 100, keepWaiting: () -> Bool = { true }) -> Read {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if discarding {
                    discarding = false
                    continue
                }
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                guard line.count <= maximumLength else { return .tooLong }
                return .line(String(decoding: line, as: UTF8.self))
            }
            if buffer.count > maximumLength {
                buffer.removeAll()
                if !discarding {
                    discarding = true
                    return .tooLong
                }
            }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, pollMilliseconds)
            if ready < 0 && errno != EINTR { return .closed }
            if ready <= 0 {
                if !keepWaiting() { return .gaveUp }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { return .closed }
            buffer += chunk[0..<count]
        }
    }

    /// Reads exactly `count` raw bytes (for binary protocols such as the copier's print port);
    /// nil when the peer closed first or `keepWaiting` gave up.
    public func readBytes(count: Int, pollMilliseconds: Int32 = 100, keepWaiting: () -> Bool = { true }) -> [UInt8]? {
        while buffer.count < count {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, pollMilliseconds)
            if ready < 0 && errno != EINTR { return nil }
            if ready <= 0 {
                if !keepWaiting() { return nil }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: min(64 * 1024, max(4096, count - buffer.count)))
            let received = recv(fd, &chunk, chunk.count, 0)
            if received < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard received > 0 else { return nil }
            buffer += chunk[0..<received]
        }
        defer { buffer.removeSubrange(..<count) }
        return Array(buffer[..<count])
    }

    /// Reads what has arrived, 1 to `maximum` bytes, waiting for the first; nil when the peer
    /// closed first or `keepWaiting` gave up.
    public func readSome(maximum: Int, pollMilliseconds: Int32 = 100, keepWaiting: () -> Bool = { true }) -> [UInt8]? {
        if buffer.isEmpty {
            guard readBytes(count: 1, pollMilliseconds: pollMilliseconds, keepWaiting: keepWaiting).map({ buffer.insert(contentsOf: $0, at: 0) }) != nil else {
                return nil
            }
        }
        let count = min(maximum, buffer.count)
        defer { buffer.removeSubrange(..<count) }
        return Array(buffer[..<count])
    }

    /// Sends raw bytes.
    public func send(bytes: [UInt8], peer: String) throws(SocketError) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw SocketError("send to", peer) }
            sent += result
        }
    }

    /// Sends `text` and a newline.
    public func send(line text: String, peer: String) throws(SocketError) {
        try send(bytes: Array((text + "\n").utf8), peer: peer)
    }

    /// A listening socket bound to `address`; returns it and the port actually bound.
    public static func listen(on address: SocketAddress) throws(SocketError) -> (fd: Int32, port: Int) {
        guard var ipv4 = address.ipv4 else { throw SocketError("listen on", address.description, reason: "not an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("create a socket for", address.description) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &ipv4) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let error = SocketError("listen on", address.description)
            Glibc.close(fd)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// A socket connected to `address`.
    public static func connect(to address: SocketAddress) throws(SocketError) -> LineSocket {
        guard var ipv4 = address.ipv4 else { throw SocketError("connect to", address.description, reason: "not an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("create a socket for", address.description) }
        let connected = withUnsafePointer(to: &ipv4) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = SocketError("connect to", address.description)
            Glibc.close(fd)
            throw error
        }
        return LineSocket(fd: fd)
    }

    /// A listening Unix-domain socket at `path` (replacing a stale socket file there), readable
    /// and writable by its owner only: the agent's local API is for the box's own users.
    public static func listen(unixPath path: String, mode: mode_t = 0o600) throws(SocketError) -> Int32 {
        var address = try unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("create a socket for", path) }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, mode) == 0, Glibc.listen(fd, 16) == 0 else {
            let error = SocketError("listen on", path)
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// A socket connected to the Unix-domain socket at `path`.
    public static func connect(unixPath path: String) throws(SocketError) -> LineSocket {
        var address = try unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("create a socket for", path) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let error = SocketError("connect to", path)
            Glibc.close(fd)
            throw error
        }
        return LineSocket(fd: fd)
    }

    private static func unixAddress(_ path: String) throws(SocketError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SocketError("use", path, reason: "a socket path must be 1 to \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }
}
