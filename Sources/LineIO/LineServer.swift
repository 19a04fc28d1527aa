import Foundation
import Glibc

/// Serves a line protocol: one request per line, one answer per line, on a listening socket
/// (loopback TCP or a Unix-domain socket). Each connection gets a thread of its own, so a
/// request that takes long (a copier job, a tap waiting for the server) holds only its own
/// connection. Used by the simulated copier's front panel and by the agent's local API.
public final class LineServer: Sendable {
    public typealias Handler = @Sendable (String) -> String

    public let name: String
    private let connections: ConnectionServer

    /// Starts serving on an already listening socket `listener` (which it then owns).
    /// `tooLong` makes the answer to a line over `maximumLineLength`.
    public init(
        name: String, listener: Int32, maximumLineLength: Int,
        tooLong: @escaping @Sendable (Int) -> String, handler: @escaping Handler
    ) {
        self.name = name
        connections = ConnectionServer(name: name, listener: listener) { socket, isStopped in
            Self.serve(socket, name: name, maximumLineLength: maximumLineLength, tooLong: tooLong, handler: handler, isStopped: isStopped)
        }
    }

    /// Stops accepting, closes every connection once its current request is answered, and
    /// returns when all of them have ended.
    public func stop() { connections.stop() }

    private static func serve(
        _ socket: LineSocket, name: String, maximumLineLength: Int,
        tooLong: (Int) -> String, handler: Handler, isStopped: () -> Bool
    ) {
        while true {
            let answer: String
            switch socket.readLine(maximumLength: maximumLineLength, keepWaiting: { !isStopped() }) {
            case .closed, .gaveUp:
                return
            case .tooLong:
                answer = tooLong(maximumLineLength)
            case let .line(line):
                if line.allSatisfy(\.isWhitespace) { continue }
                answer = handler(line)
            }
            do { try socket.send(line: answer, peer: "\(name) client") } catch { return }
        }
    }
}

/// A client of a line protocol: sends a line, reads the answer line. Not Sendable on purpose:
/// a connection belongs to one thread at a time.
public final class LineClient {
    public let peer: String
    private let socket: LineSocket
    public let maximumAnswerLength: Int

    public init(socket: LineSocket, peer: String, maximumAnswerLength: Int = 64 << 20) {
        self.socket = socket
        self.peer = peer
        self.maximumAnswerLength = maximumAnswerLength
    }

    /// Sends a line (which must not contain a newline) and returns the answer line; waits up to
    /// `timeout` (nil waits as long as it takes).
    public func exchange(line: String, timeout: Duration? = nil) throws(SocketError) -> String {
        try socket.send(line: line, peer: peer)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        switch socket.readLine(maximumLength: maximumAnswerLength, keepWaiting: { deadline.map { ContinuousClock.now < $0 } ?? true }) {
        case let .line(text): return text
        case .closed: throw SocketError("read the answer from", peer, reason: "the connection was closed")
        case .gaveUp: throw SocketError("read the answer from", peer, reason: "no answer within \(timeout ?? .zero)")
        case .tooLong: throw SocketError("read the answer from", peer, reason: "answer longer than \(maximumAnswerLength) bytes")
        }
    }
}
