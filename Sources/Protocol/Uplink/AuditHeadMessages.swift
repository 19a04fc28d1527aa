extension UplinkMessage {
    /// Agent → server, a request: "send me your signed audit heads" (issue 14). An agent that
    /// never asks (one built before these messages) is never sent one, so old agents, which
    /// drop a connection on an unknown message type, are unaffected.
    public struct AuditHeadRequest: Hashable, Sendable {
        /// The sequence of the newest head the agent keeps; absent when it keeps none. A server
        /// whose newest signed head is older has lost audit entries, and records that.
        public let heldSequence: UInt64?

        public init(heldSequence: UInt64?) { self.heldSequence = heldSequence }
    }

    /// Server → agent: the answer to `auditHeadRequest` (absent when the server has signed no
    /// head yet), then, unsolicited, each newly signed head while the connection lasts.
    public struct AuditHeadAnswer: Hashable, Sendable {
        /// A `SignedAuditHead` token (123 bytes); checked by the agent, not by the decoder.
        public let token: [UInt8]?

        public init(token: [UInt8]?) throws(WireError) {
            if let token { try FieldRules.checkBytes(token.count, "audit head", limit: UplinkLimits.auditHeadSize) }
            self.token = token
        }
    }
}

extension UplinkMessage.AuditHeadRequest: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.bool(heldSequence != nil)
        if let heldSequence { writer.u64(heldSequence) }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        heldSequence = try reader.bool("held audit head present") ? try reader.u64("held audit head sequence") : nil
    }
}

extension UplinkMessage.AuditHeadAnswer: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.bool(token != nil)
        if let token { writer.bytes(token, .u16) }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let present = try reader.bool("audit head present")
        try self.init(token: present ? try reader.bytes("audit head", .u16, limit: UplinkLimits.auditHeadSize) : nil)
    }
}
