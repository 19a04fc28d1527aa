import Foundation
import NIOCore
import NIOHTTP1

/// Sits right after the HTTP/1 request decoder of every connection and refuses what no route
/// could take before Hummingbird sees it (issue 21):
/// - no complete request head within `ConnectionTimeouts.requestHead` of the connection's
///   start: 408 and closed. Hummingbird's own idle timer starts only once a first head has been
///   parsed, so a client that opened a connection and trickled bytes (or sent garbage) held it
///   for ever;
/// - a request that does not parse: 400 and closed (the library half-closed and waited for the
///   client to close, which an attacker never does);
/// - a `Content-Length` over the route's limit (`RequestBodyLimits`): 413 at once, unread;
/// - a body that streams past that limit without a length: cut, so it is never drained.
///
/// A WebSocket upgrade request removes the guard once it has passed it: what follows are
/// WebSocket frames, timed by the uplink's handshake deadline.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let requestHeadTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var sawFirstHead = false
    private var bodyLimit = RequestBodyLimits.document
    private var bodyBytes = 0
    private var request = ""
    /// Set once a refusal is written: nothing more is read from the connection.
    private var refused = false
    /// Whether Hummingbird has begun the current response (then a cut body just closes).
    private var responding = false

    init(requestHeadTimeout: Duration) {
        self.requestHeadTimeout = TimeAmount(requestHeadTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case let .head(head):
            if !sawFirstHead {
                sawFirstHead = true
                disarm()
            }
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            request = "\(head.method.rawValue) \(path)"
            bodyLimit = RequestBodyLimits.limit(method: head.method.rawValue, path: path)
            bodyBytes = 0
            if let text = head.headers.first(name: "content-length"), let claimed = Int(text), claimed > bodyLimit {
                return refuse(context, .payloadTooLarge, "the request body is \(claimed) bytes; \(request) takes at most \(bodyLimit)")
            }
            context.fireChannelRead(data)
            if head.headers.first(name: "upgrade") != nil {
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
        case let .body(buffer):
            bodyBytes += buffer.readableBytes
            guard bodyBytes <= bodyLimit else {
                if responding {
                    refused = true
                    context.close(promise: nil)
                    return
                }
                return refuse(context, .payloadTooLarge, "the request body passed \(bodyLimit) bytes, the most \(request) takes")
            }
            context.fireChannelRead(data)
        case .end:
            context.fireChannelRead(data)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        guard !refused else { return }
        if responding {
            refused = true
            context.close(promise: nil)
            return
        }
        refuse(context, .badRequest, "the request is not valid HTTP/1.1: \(error)")
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .body: break
        case .end: responding = false
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, !sawFirstHead else { return }
        let timeout = requestHeadTimeout
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { [self] in
            deadline = nil
            guard !sawFirstHead, !refused else { return }
            refuse(context, .requestTimeout, "no complete request within \(timeout.nanoseconds / 1_000_000_000) s of connecting")
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    /// Answers `status` with the API's error body and closes the connection once it is written.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ message: String) {
        refused = true
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        // A write that cannot complete (behind a TLS handshake that never began, or to a
        // client that reads nothing) must not keep the connection: it is closed regardless.
        context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }
}
