/// The message type byte of an uplink frame header (docs/protocol-uplink.md, "Message types").
/// Codes are grouped by purpose; a code not listed here is refused.
public enum UplinkMessageType: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    // Session set-up.
    case hello = 0x01
    case challenge = 0x02
    case authProof = 0x03
    case authResult = 0x04
    // Grants and what the agent needs to verify them offline.
    case grantRequest = 0x10
    case grant = 0x11
    case refusal = 0x12
    case limitUpdate = 0x13
    case revocationList = 0x14
    case serverKeys = 0x15
    // Events and the checks made against them.
    case eventBatch = 0x20
    case ack = 0x21
    case checkpoint = 0x22
    case usageHashQuery = 0x23
    case usageHashAnswer = 0x24
    case auditHeadRequest = 0x25
    case auditHead = 0x26
    // Photos and scans.
    case blobOffer = 0x30
    case blobChunk = 0x31
    case blobStatus = 0x32
    // Firmware for the copier controller and the seal.
    case firmwareOffer = 0x40
    case firmwareChunk = 0x41
    case firmwareStatus = 0x42
    // Released split-charge parts for the copier's print port.
    case partOffer = 0x50
    case partChunk = 0x51
    case partDone = 0x52
    // Connection upkeep.
    case ping = 0x70
    case pong = 0x71
    case error = 0x7f

    /// The name used in the docs and in error messages, e.g. `grantRequest`.
    public var description: String {
        switch self {
        case .hello: return "hello"
        case .challenge: return "challenge"
        case .authProof: return "authProof"
        case .authResult: return "authResult"
        case .grantRequest: return "grantRequest"
        case .grant: return "grant"
        case .refusal: return "refusal"
        case .limitUpdate: return "limitUpdate"
        case .revocationList: return "revocationList"
        case .serverKeys: return "serverKeys"
        case .eventBatch: return "eventBatch"
        case .ack: return "ack"
        case .checkpoint: return "checkpoint"
        case .usageHashQuery: return "usageHashQuery"
        case .usageHashAnswer: return "usageHashAnswer"
        case .auditHeadRequest: return "auditHeadRequest"
        case .auditHead: return "auditHead"
        case .blobOffer: return "blobOffer"
        case .blobChunk: return "blobChunk"
        case .blobStatus: return "blobStatus"
        case .firmwareOffer: return "firmwareOffer"
        case .firmwareChunk: return "firmwareChunk"
        case .firmwareStatus: return "firmwareStatus"
        case .partOffer: return "partOffer"
        case .partChunk: return "partChunk"
        case .partDone: return "partDone"
        case .ping: return "ping"
        case .pong: return "pong"
        case .error: return "error"
        }
    }
}
