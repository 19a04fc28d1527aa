import Foundation
import Glibc

/// Accepts connections on a listening socket and serves each on a thread of its own, so a
/// request that takes long (a copier job, a tap waiting for the server, a print) holds only its
/// own connection. The accept loop under the line servers and the copier's print port.
public final class ConnectionServer: @unchecked Sendable {
    /// Serves one connection until it ends; `isStopped` turns true when the server stops, and
    /// a connection should then end once its current request is answered. The socket is closed
    /// after it returns.
    public typealias Serve = @Sendable (_ socket: LineSocket, _ isStopped: @escaping @Sendable () -> Bool) -> Void

    public let name: String
    private let listener: Int32
    private let serve: Serve
    private let lock = NSLock()
    private var stopped = false  // under `lock`
    private let threads = DispatchGroup()

    /// Starts accepting on an already listening socket `listener` (which it then owns).
    public init(name: String, listener: Int32, serve: @escaping Serve) {
        self.name = name
        self.listener = listener
        self.serve = serve
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop()
            threads.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Stops accepting and returns when every connection has ended.
    public func stop() {
        lock.withLock { stopped = true }
        threads.wait()
    }

    public var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                usleep(10_000)  // out of descriptors, say: do not spin
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            threads.enter()
            let handoff = ConnectionHandoff(socket: LineSocket(fd: client))
            let thread = Thread { [self] in
                defer { handoff.socket.close() }
                serve(handoff.socket) { [self] in isStopped }
                threads.leave()
            }
            thread.name = "\(name)-connection"
            thread.start()
        }
    }
}

/// Moves a connection's socket to the one thread that serves it.
private struct ConnectionHandoff: @unchecked Sendable {
    let socket: LineSocket
}
