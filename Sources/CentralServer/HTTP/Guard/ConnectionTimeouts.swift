/// How long the server waits for a client that does nothing useful (issue 21: 2,000 malformed
/// HTTP requests were still open after 70 s, and 200 WebSockets that never said hello after
/// 65 s; an unauthenticated client could hold descriptors until the server ran out).
public struct ConnectionTimeouts: Hashable, Sendable {
    /// From the connection's start (the TLS handshake included) until its first request's head
    /// is complete. A client trickling a header one byte at a time is cut here.
    public var requestHead: Duration
    /// A keep-alive connection with no request, or a request whose body stops arriving.
    public var idle: Duration
    /// From the WebSocket upgrade until the device has proved who it is (hello, challenge, proof).
    public var uplinkHandshake: Duration

    public init(requestHead: Duration = .seconds(10), idle: Duration = .seconds(30), uplinkHandshake: Duration = .seconds(10)) {
        self.requestHead = requestHead
        self.idle = idle
        self.uplinkHandshake = uplinkHandshake
    }
}
