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

    /// The defaults leave room for a loaded host: on CI's two cores, under the whole test
    /// suite, uplink tests whose servers had a 10 s handshake deadline were cut off by it.
    public init(requestHead: Duration = .seconds(20), idle: Duration = .seconds(60), uplinkHandshake: Duration = .seconds(30)) {
        self.requestHead = requestHead
        self.idle = idle
        self.uplinkHandshake = uplinkHandshake
    }
}
