import Foundation
import HummingbirdWebSocket
import NIOCore
import Protocol

/// Why the server ends an uplink connection, said to the client twice: as an uplink `error`
/// frame (unless a refusal `authResult` already said it) and as the WebSocket close frame's code
/// and reason text. Issue 14: a client that never proved who it was was cut at the handshake
/// deadline without a word, and a connection ended by the server's own decision closed with
/// 1000 "normal" and no reason, as if nothing had happened.
struct UplinkEnding: Error {
    /// The WebSocket close code: 1002 for a frame that breaks the protocol, 1009 for one over
    /// the size limit, 1008 for a client refused (not enrolled, failed proof, too slow), 1011
    /// for a fault of the server's.
    enum Close { case protocolError, messageTooLarge, policyViolation, serverError }
    let close: Close
    /// The uplink `error` frame's code; nil when a refusal frame was already sent.
    let error: UplinkMessage.ErrorCode?
    let text: String

    static func protocolError(_ code: UplinkMessage.ErrorCode, _ text: String) -> UplinkEnding {
        switch code {
        case .frameTooLarge: UplinkEnding(close: .messageTooLarge, error: code, text: text)
        case .notAuthenticated, .rateLimited: UplinkEnding(close: .policyViolation, error: code, text: text)
        default: UplinkEnding(close: .protocolError, error: code, text: text)
        }
    }

    /// After an `authResult` refusal, which carries the reason already.
    static func refused(_ text: String) -> UplinkEnding { UplinkEnding(close: .policyViolation, error: nil, text: text) }

    /// A fault of the server's own: 1011.
    static func internalError(_ text: String) -> UplinkEnding { UplinkEnding(close: .serverError, error: .internalError, text: text) }

    /// A decode failure of a frame the client sent.
    static func malformed(_ error: UplinkDecodeError) -> UplinkEnding {
        if case .frameTooLarge = error { return protocolError(.frameTooLarge, "\(error)") }
        return protocolError(.malformedFrame, "\(error)")
    }

    /// Writes the close frame: code and reason.
    func close(_ outbound: WebSocketOutboundWriter) async {
        let reason = Self.closeReason(text)
        switch close {
        case .protocolError: try? await outbound.close(.protocolError, reason: reason)
        case .messageTooLarge: try? await outbound.close(.messageTooLarge, reason: reason)
        case .policyViolation: try? await outbound.close(.policyViolation, reason: reason)
        case .serverError: try? await outbound.close(.unexpectedServerError, reason: reason)
        }
    }

    /// A close frame's reason: at most 123 bytes of UTF-8 (a control frame carries 125, two of
    /// them the code), cut at a character.
    static func closeReason(_ text: String) -> String {
        var reason = ""
        var bytes = 0
        for character in text {
            bytes += character.utf8.count
            guard bytes <= 123 else { break }
            reason.append(character)
        }
        return reason
    }
}

/// Lets exactly one of the connection's endings speak: the handshake deadline and the read
/// loop can both decide to end it, and the client must hear one reason, not two.
final class UplinkEndingLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false

    var hasEnded: Bool { lock.withLock { ended } }

    /// True the first time only.
    func claim() -> Bool {
        lock.withLock {
            defer { ended = true }
            return !ended
        }
    }
}

/// Joins the WebSocket frames of one message and decodes the uplink frame it holds, checking the
/// uplink header as its bytes arrive: a message whose header announces more than the frame limit
/// is refused from that header, before the rest of it is buffered, and the refusal says so
/// (the library's own message joining closed with a bare 1009 the endpoint could not explain).
struct UplinkMessageAssembler {
    private var decoder = UplinkFrameDecoder()
    private var started = false
    private var received = 0

    /// Feeds one WebSocket data frame; the uplink frame once its message is complete.
    mutating func feed(_ opcode: WebSocketDataFrame.Opcode, _ data: ByteBuffer, fin: Bool) throws(UplinkEnding) -> UplinkFrame? {
        switch (opcode, started) {
        case (.text, false):
            throw .protocolError(.malformedFrame, "a text WebSocket message: uplink frames are binary messages")
        case (.binary, false), (.continuation, true):
            break
        case (.continuation, false):
            throw .protocolError(.malformedFrame, "a WebSocket continuation frame that continues no message")
        case (_, true):
            throw .protocolError(.malformedFrame, "a new WebSocket message before the last one ended")
        }
        started = true
        received += data.readableBytes
        decoder.append(data.readableBytesView)
        let frame: UplinkFrame?
        do { frame = try decoder.next() } catch { throw .malformed(error) }
        if frame != nil, decoder.bufferedByteCount > 0 { throw .malformed(.bytesAfterFrame(count: decoder.bufferedByteCount)) }
        if frame != nil, !fin { throw .protocolError(.malformedFrame, "the WebSocket message goes on after its uplink frame ended") }
        if frame == nil, fin {
            throw .malformed(.incompleteFrame(needed: decoder.bytesNeededForNextFrame, available: received))
        }
        if frame != nil { self = UplinkMessageAssembler() }
        return frame
    }
}
