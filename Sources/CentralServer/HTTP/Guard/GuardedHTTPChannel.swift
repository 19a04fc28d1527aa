import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with the WebSocket upgrade, and `HTTPConnectionGuard` placed
/// right after its request decoder. Wrapping the child channel (rather than the library's
/// `additionalChannelHandlers`, which are added only once the first request is parsed) is what
/// lets the guard time a connection from its first byte.
struct GuardedHTTPChannel: ServerChildChannel {
    let base: HTTP1WebSocketUpgradeChannel
    let timeouts: ConnectionTimeouts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        let timeout = timeouts.requestHead
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(HTTPConnectionGuard(requestHeadTimeout: timeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the WebSocket upgrade, guarded and timed by `timeouts`.
    static func guardedHTTP1WebSocketUpgrade<Builder: HTTPResponderBuilder & SendableMetatype>(
        webSocketRouter: Builder, configuration: HTTP1WebSocketUpgradeChannel.Configuration, timeouts: ConnectionTimeouts
    ) -> HTTPServerBuilder where Builder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            GuardedHTTPChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                timeouts: timeouts
            )
        }
    }
}
