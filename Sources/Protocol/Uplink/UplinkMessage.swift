/// One message between the device agent and the central server: the payload of an uplink frame.
/// The frame header carries the type code; the payload is the case's canonical encoding.
public enum UplinkMessage: Hashable, Sendable {
    case hello(Hello)
    case challenge(Challenge)
    case authProof(AuthProof)
    case authResult(AuthResult)
    case grantRequest(GrantRequest)
    case grant(Grant)
    case refusal(Refusal)
    case limitUpdate(LimitUpdate)
    case revocationList(RevocationList)
    case serverKeys(ServerKeys)
    case eventBatch(EventBatch)
    case ack(Ack)
    case checkpoint(Checkpoint)
    case usageHashQuery(UsageHashQuery)
    case usageHashAnswer(UsageHashAnswer)
    case auditHeadRequest(AuditHeadRequest)
    case auditHead(AuditHeadAnswer)
    case blobOffer(BlobOffer)
    case blobChunk(BlobChunk)
    case blobStatus(BlobStatus)
    case firmwareOffer(FirmwareOffer)
    case firmwareChunk(FirmwareChunk)
    case firmwareStatus(FirmwareStatus)
    case partOffer(PartOffer)
    case partChunk(PartChunk)
    case partDone(PartDone)
    case ping(Ping)
    case pong(Pong)
    case error(ProtocolError)

    public var type: UplinkMessageType {
        switch self {
        case .hello: return .hello
        case .challenge: return .challenge
        case .authProof: return .authProof
        case .authResult: return .authResult
        case .grantRequest: return .grantRequest
        case .grant: return .grant
        case .refusal: return .refusal
        case .limitUpdate: return .limitUpdate
        case .revocationList: return .revocationList
        case .serverKeys: return .serverKeys
        case .eventBatch: return .eventBatch
        case .ack: return .ack
        case .checkpoint: return .checkpoint
        case .usageHashQuery: return .usageHashQuery
        case .usageHashAnswer: return .usageHashAnswer
        case .auditHeadRequest: return .auditHeadRequest
        case .auditHead: return .auditHead
        case .blobOffer: return .blobOffer
        case .blobChunk: return .blobChunk
        case .blobStatus: return .blobStatus
        case .firmwareOffer: return .firmwareOffer
        case .firmwareChunk: return .firmwareChunk
        case .firmwareStatus: return .firmwareStatus
        case .partOffer: return .partOffer
        case .partChunk: return .partChunk
        case .partDone: return .partDone
        case .ping: return .ping
        case .pong: return .pong
        case .error: return .error
        }
    }

    /// The payload's canonical encoding (what follows the frame header).
    public func encodePayload(to writer: inout ByteWriter) {
        switch self {
        case let .hello(payload): writer.encode(payload)
        case let .challenge(payload): writer.encode(payload)
        case let .authProof(payload): writer.encode(payload)
        case let .authResult(payload): writer.encode(payload)
        case let .grantRequest(payload): writer.encode(payload)
        case let .grant(payload): writer.encode(payload)
        case let .refusal(payload): writer.encode(payload)
        case let .limitUpdate(payload): writer.encode(payload)
        case let .revocationList(payload): writer.encode(payload)
        case let .serverKeys(payload): writer.encode(payload)
        case let .eventBatch(payload): writer.encode(payload)
        case let .ack(payload): writer.encode(payload)
        case let .checkpoint(payload): writer.encode(payload)
        case let .usageHashQuery(payload): writer.encode(payload)
        case let .usageHashAnswer(payload): writer.encode(payload)
        case let .auditHeadRequest(payload): writer.encode(payload)
        case let .auditHead(payload): writer.encode(payload)
        case let .blobOffer(payload): writer.encode(payload)
        case let .blobChunk(payload): writer.encode(payload)
        case let .blobStatus(payload): writer.encode(payload)
        case let .firmwareOffer(payload): writer.encode(payload)
        case let .firmwareChunk(payload): writer.encode(payload)
        case let .firmwareStatus(payload): writer.encode(payload)
        case let .partOffer(payload): writer.encode(payload)
        case let .partChunk(payload): writer.encode(payload)
        case let .partDone(payload): writer.encode(payload)
        case let .ping(payload): writer.encode(payload)
        case let .pong(payload): writer.encode(payload)
        case let .error(payload): writer.encode(payload)
        }
    }

    /// The payload alone.
    public func payloadBytes() -> [UInt8] {
        var writer = ByteWriter()
        encodePayload(to: &writer)
        return writer.bytes
    }

    /// Decodes a payload of the given type that must occupy all of `reader`'s remaining bytes.
    public init(type: UplinkMessageType, payload reader: inout ByteReader) throws(WireError) {
        switch type {
        case .hello: self = .hello(try reader.decode())
        case .challenge: self = .challenge(try reader.decode())
        case .authProof: self = .authProof(try reader.decode())
        case .authResult: self = .authResult(try reader.decode())
        case .grantRequest: self = .grantRequest(try reader.decode())
        case .grant: self = .grant(try reader.decode())
        case .refusal: self = .refusal(try reader.decode())
        case .limitUpdate: self = .limitUpdate(try reader.decode())
        case .revocationList: self = .revocationList(try reader.decode())
        case .serverKeys: self = .serverKeys(try reader.decode())
        case .eventBatch: self = .eventBatch(try reader.decode())
        case .ack: self = .ack(try reader.decode())
        case .checkpoint: self = .checkpoint(try reader.decode())
        case .usageHashQuery: self = .usageHashQuery(try reader.decode())
        case .usageHashAnswer: self = .usageHashAnswer(try reader.decode())
        case .auditHeadRequest: self = .auditHeadRequest(try reader.decode())
        case .auditHead: self = .auditHead(try reader.decode())
        case .blobOffer: self = .blobOffer(try reader.decode())
        case .blobChunk: self = .blobChunk(try reader.decode())
        case .blobStatus: self = .blobStatus(try reader.decode())
        case .firmwareOffer: self = .firmwareOffer(try reader.decode())
        case .firmwareChunk: self = .firmwareChunk(try reader.decode())
        case .firmwareStatus: self = .firmwareStatus(try reader.decode())
        case .partOffer: self = .partOffer(try reader.decode())
        case .partChunk: self = .partChunk(try reader.decode())
        case .partDone: self = .partDone(try reader.decode())
        case .ping: self = .ping(try reader.decode())
        case .pong: self = .pong(try reader.decode())
        case .error: self = .error(try reader.decode())
        }
        try reader.finish()
    }

    /// Decodes a whole payload of the given type.
    public init(type: UplinkMessageType, payload bytes: [UInt8]) throws(WireError) {
        var reader = ByteReader(bytes)
        try self.init(type: type, payload: &reader)
    }
}
