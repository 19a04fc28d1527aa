extension UplinkMessage {
    /// Why the server refused a grant request or an authentication: a u16 code from this table
    /// (docs/protocol-uplink.md, "Refusal reasons"). An undefined code is refused, so both sides
    /// always agree on what a refusal means; the agent shows the accompanying text.
    public enum RefusalReason: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
        /// No user holds this card.
        case unknownCard = 1
        /// The PIN does not match.
        case wrongPIN = 2
        /// Too many wrong PINs recently; try again later.
        case pinRateLimited = 3
        /// The user exists but is disabled.
        case userDisabled = 4
        /// The user may not use this device or resource.
        case notAllowedOnDevice = 5
        /// The user's second upper limit is reached (SPEC B3).
        case overQuota = 6
        /// The device is not enrolled (or its key is unknown).
        case deviceNotEnrolled = 7
        /// The seal application is not (yet) approved.
        case applicationNotApproved = 8
        /// The seal application has no uses left.
        case usesExhausted = 9
        /// The resource id is not known on this device.
        case resourceUnknown = 10
        /// The server cannot decide right now (store down, overloaded).
        case serverUnavailable = 11
        /// No user has this user id.
        case unknownUser = 12
        /// The device is enrolled but an administrator disabled it.
        case deviceDisabled = 13
        /// An approver revoked the application's remaining uses (SPEC E7).
        case applicationRevoked = 14
        /// The application belongs to someone else or to another seal.
        case applicationMismatch = 15
        /// The resource exists but is not of the kind requested (a seal asked for as a copier).
        case resourceKindMismatch = 16
        /// The device's clock is too far from the server's to issue a grant safely.
        case deviceClockSkew = 17
        /// The authentication proof did not verify.
        case authenticationFailed = 18
        /// None of the agent's protocol versions is spoken by the server.
        case protocolVersionUnsupported = 19
        /// The request is well-formed but the server will not serve it (policy).
        case notPermitted = 20

        public var description: String {
            switch self {
            case .unknownCard: return "unknownCard"
            case .wrongPIN: return "wrongPIN"
            case .pinRateLimited: return "pinRateLimited"
            case .userDisabled: return "userDisabled"
            case .notAllowedOnDevice: return "notAllowedOnDevice"
            case .overQuota: return "overQuota"
            case .deviceNotEnrolled: return "deviceNotEnrolled"
            case .applicationNotApproved: return "applicationNotApproved"
            case .usesExhausted: return "usesExhausted"
            case .resourceUnknown: return "resourceUnknown"
            case .serverUnavailable: return "serverUnavailable"
            case .unknownUser: return "unknownUser"
            case .deviceDisabled: return "deviceDisabled"
            case .applicationRevoked: return "applicationRevoked"
            case .applicationMismatch: return "applicationMismatch"
            case .resourceKindMismatch: return "resourceKindMismatch"
            case .deviceClockSkew: return "deviceClockSkew"
            case .authenticationFailed: return "authenticationFailed"
            case .protocolVersionUnsupported: return "protocolVersionUnsupported"
            case .notPermitted: return "notPermitted"
            }
        }
    }

    /// Server → agent: a grant request (or an authentication) is refused, with the reason code
    /// the agent acts on and the text it shows the person at the device.
    public struct Refusal: Hashable, Sendable {
        public let reason: RefusalReason
        /// UTF-8, at most 1024 bytes; may be empty.
        public let text: String

        public init(reason: RefusalReason, text: String) throws(WireError) {
            try FieldRules.checkText(text, "refusal text", limit: UplinkLimits.textLength)
            self.reason = reason
            self.text = text
        }
    }
}

extension UplinkMessage.RefusalReason: WireEnum {
    public static let wireField = "refusal reason"
}

extension UplinkMessage.Refusal: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(reason)
        writer.string(text, .u16)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        reason = try reader.decode()
        text = try UplinkFieldRules.readText(&reader, "refusal text")
    }
}
