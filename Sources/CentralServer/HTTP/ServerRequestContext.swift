import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: Hummingbird's core storage, the peer address (for the
/// audit log's "from where"), and WebSocket support so the uplink's endpoint can live on the
/// same router.
public struct ServerRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<ServerRequestContext>
    /// `ip:port` of the peer, or `unknown`; behind a trusted proxy `client via proxy-ip:port`.
    public private(set) var peer: String
    /// The peer's address alone (no port), or `unknown`: what the web login's lockout counts by.
    /// Behind a trusted proxy (`serve --trusted-proxy`), the client's address it forwarded.
    public private(set) var peerAddress: String
    /// The connection, so the uplink can close one that has not proved who it is in time.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
        if let address = source.channel.remoteAddress, let ip = address.ipAddress {
            peer = address.port.map { "\(ip):\($0)" } ?? ip
            peerAddress = ip
        } else {
            peer = "unknown"
            peerAddress = "unknown"
        }
    }

    /// The request came through a trusted proxy on behalf of `client` (TransportMiddleware).
    mutating func forwarded(client: String) {
        peer = "\(client) via \(peer)"
        peerAddress = client
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { 64 * 1024 }
}
