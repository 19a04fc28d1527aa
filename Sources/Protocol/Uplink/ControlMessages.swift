extension UplinkMessage {
    /// Either side → the other: a liveness probe. The peer answers with a `pong` carrying the
    /// same nonce (and the peer's own time), in a frame whose request id repeats the ping's.
    public struct Ping: Hashable, Sendable {
        public let nonce: UInt64
        /// The sender's clock, so each side can estimate the other's offset.
        public let senderTime: Timestamp

        public init(nonce: UInt64, senderTime: Timestamp) {
            self.nonce = nonce
            self.senderTime = senderTime
        }
    }

    /// The answer to a `ping`: the same layout.
    public typealias Pong = Ping

    /// Why a peer is about to close the connection at the protocol level (a u16 code from this
    /// table; an undefined code is refused).
    public enum ErrorCode: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
        /// A frame could not be decoded (bad magic, flags, payload, ...).
        case malformedFrame = 1
        /// The frame's version byte is not one this peer speaks.
        case unsupportedVersion = 2
        /// The frame's message type is not one this peer knows.
        case unknownMessageType = 3
        /// The frame announced more bytes than this peer accepts.
        case frameTooLarge = 4
        /// A valid message that is not allowed at this point of the session.
        case unexpectedMessage = 5
        /// A message that needs an authenticated session arrived before authentication.
        case notAuthenticated = 6
        /// The peer sends faster than allowed.
        case rateLimited = 7
        /// The peer hit a fault of its own.
        case internalError = 8
        /// The server is shutting down; reconnect later.
        case shuttingDown = 9

        public var description: String {
            switch self {
            case .malformedFrame: return "malformedFrame"
            case .unsupportedVersion: return "unsupportedVersion"
            case .unknownMessageType: return "unknownMessageType"
            case .frameTooLarge: return "frameTooLarge"
            case .unexpectedMessage: return "unexpectedMessage"
            case .notAuthenticated: return "notAuthenticated"
            case .rateLimited: return "rateLimited"
            case .internalError: return "internalError"
            case .shuttingDown: return "shuttingDown"
            }
        }
    }

    /// Either side → the other, just before closing: what went wrong at the protocol level.
    public struct ProtocolError: Hashable, Sendable {
        public let code: ErrorCode
        /// UTF-8, at most 1024 bytes; may be empty.
        public let text: String

        public init(code: ErrorCode, text: String) throws(WireError) {
            try FieldRules.checkText(text, "error text", limit: UplinkLimits.textLength)
            self.code = code
            self.text = text
        }
    }
}

extension UplinkMessage.Ping: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(nonce)
        writer.encode(senderTime)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        nonce = try reader.u64("ping nonce")
        senderTime = try Timestamp(from: &reader, field: "sender time")
    }
}

extension UplinkMessage.ErrorCode: WireEnum {
    public static let wireField = "error code"
}

extension UplinkMessage.ProtocolError: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(code)
        writer.string(text, .u16)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        code = try reader.decode()
        text = try UplinkFieldRules.readText(&reader, "error text")
    }
}
