import Foundation
import Glibc

/// The front panel on a loopback TCP port: a person (or a script) at the copier, one JSON
/// command per line, one JSON answer per line. Each connection has a thread of its own, so a
/// `job` that waits for its pages holds only its own connection.
public final class CopierPanelServer: @unchecked Sendable {
    public let simulator: CopierSimulator
    public let address: SocketAddress
    /// The port actually bound (useful when started on port 0).
    public let port: Int

    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false  // under `lock`
    private let threads = DispatchGroup()

    /// Binds and starts accepting. The panel has no authentication, so it listens only on a
    /// loopback address.
    public init(address: SocketAddress, simulator: CopierSimulator) throws(SocketError) {
        guard address.isLoopback else {
            throw SocketError("listen on", address.description, reason: "the panel listens only on a loopback address (127.x.x.x)")
        }
        (listener, port) = try LineSocket.listen(on: address)
        self.address = address
        self.simulator = simulator
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop()
            threads.leave()
        }
        thread.name = "copier-panel"
        thread.start()
    }

    /// Stops accepting, closes every connection once its current command is answered, and
    /// returns when all of them have ended.
    public func stop() {
        lock.withLock { stopped = true }
        threads.wait()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

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
                serve(handoff.socket)
                threads.leave()
            }
            thread.name = "copier-panel-connection"
            thread.start()
        }
    }

    private func serve(_ socket: LineSocket) {
        let peer = "panel client"
        defer { socket.close() }
        while true {
            let answer: JSONValue
            switch socket.readLine(maximumLength: PanelCommand.maximumLineLength, keepWaiting: { !isStopped }) {
            case .closed, .gaveUp:
                return
            case .tooLong:
                answer = PanelStatus.error(PanelCommandError.lineTooLong(limit: PanelCommand.maximumLineLength).description)
            case let .line(line):
                if line.allSatisfy(\.isWhitespace) { continue }
                answer = simulator.answer(line: line)
            }
            do { try socket.send(line: answer.text, peer: peer) } catch { return }
        }
    }
}

/// Moves a connection's socket to the one thread that serves it.
private struct ConnectionHandoff: @unchecked Sendable {
    let socket: LineSocket
}
