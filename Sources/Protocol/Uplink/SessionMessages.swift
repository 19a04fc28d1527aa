extension UplinkMessage {
    /// Agent → server, first frame on a new connection: who the agent is and where it stands.
    public struct Hello: Hashable, Sendable {
        public let deviceID: DeviceID
        /// The agent's software version, e.g. `0.1.0` (1 to 64 UTF-8 bytes).
        public let agentVersion: String
        /// The uplink protocol versions the agent speaks, ascending, 1 to 16 of them, none 0.
        public let supportedVersions: [UInt8]
        /// The sequence number of the newest event the agent holds; nil before its first event.
        public let lastEventSequence: UInt64?
        /// Key ids of server grant keys the agent already trusts, ascending, at most 16.
        public let trustedKeyIDs: [KeyID]

        /// Validates every field; `supportedVersions` and `trustedKeyIDs` are sorted for you but
        /// must not contain duplicates.
        public init(
            deviceID: DeviceID,
            agentVersion: String,
            supportedVersions: [UInt8] = [ImprimaturVersion.protocolVersion],
            lastEventSequence: UInt64?,
            trustedKeyIDs: [KeyID]
        ) throws(WireError) {
            try self.init(
                checking: deviceID, agentVersion, supportedVersions.sorted(), lastEventSequence,
                trustedKeyIDs.sorted()
            )
        }

        private init(
            checking deviceID: DeviceID, _ agentVersion: String, _ supportedVersions: [UInt8],
            _ lastEventSequence: UInt64?, _ trustedKeyIDs: [KeyID]
        ) throws(WireError) {
            try FieldRules.checkBytes(agentVersion.utf8.count, "agent version", limit: UplinkLimits.agentVersionLength)
            guard !supportedVersions.isEmpty else {
                throw .invalidValue(field: "supported versions", reason: "must name at least one version")
            }
            guard supportedVersions.count <= UplinkLimits.supportedVersionCount else {
                throw .tooLong(field: "supported versions", length: supportedVersions.count, limit: UplinkLimits.supportedVersionCount)
            }
            guard !supportedVersions.contains(0) else {
                throw .invalidValue(field: "supported versions", reason: "version 0 does not exist")
            }
            try UplinkFieldRules.checkStrictlyAscending(supportedVersions, "supported versions", by: <)
            guard trustedKeyIDs.count <= UplinkLimits.trustedKeyCount else {
                throw .tooLong(field: "trusted key ids", length: trustedKeyIDs.count, limit: UplinkLimits.trustedKeyCount)
            }
            try UplinkFieldRules.checkStrictlyAscending(trustedKeyIDs, "trusted key ids", by: <)
            self.deviceID = deviceID
            self.agentVersion = agentVersion
            self.supportedVersions = supportedVersions
            self.lastEventSequence = lastEventSequence
            self.trustedKeyIDs = trustedKeyIDs
        }
    }

    /// A 32-byte random value the server sends once per connection; the agent signs it, so a
    /// recorded proof is worthless on any other connection.
    public struct AuthNonce: Hashable, Sendable, CustomStringConvertible {
        public static let byteCount = 32
        public let bytes: [UInt8]

        public init(bytes: [UInt8]) throws(WireError) {
            self.bytes = try FixedBytes.checked(bytes, count: Self.byteCount, field: "nonce")
        }

        /// A fresh nonce from `generator` (the server passes a cryptographically secure one).
        public init(using generator: inout some RandomNumberGenerator) {
            bytes = FixedBytes.random(count: Self.byteCount, using: &generator)
        }

        public var description: String { Hex.encode(bytes) }
    }

    /// Server → agent, in answer to `hello`: the nonce to sign and who is asking.
    public struct Challenge: Hashable, Sendable {
        public let nonce: AuthNonce
        /// The server's clock, so the agent can notice a large skew in its own.
        public let serverTime: Timestamp
        public let serverID: ServerID

        public init(nonce: AuthNonce, serverTime: Timestamp, serverID: ServerID) {
            self.nonce = nonce
            self.serverTime = serverTime
            self.serverID = serverID
        }
    }

    /// Agent → server: the device key's signature over the challenge
    /// (`DeviceAuthentication.proof(nonce:deviceID:serverID:key:)`).
    public struct AuthProof: Hashable, Sendable {
        public let signature: Signature

        public init(signature: Signature) { self.signature = signature }
    }

    /// Server → agent: the outcome of authentication.
    public enum AuthResult: Hashable, Sendable {
        /// The device is authenticated. `lastSequenceHeld` is the newest event sequence the server
        /// already has from this device (nil when it has none): the agent resumes after it.
        case accepted(lastSequenceHeld: UInt64?)
        /// Authentication failed; the server closes the connection after this frame.
        case refused(Refusal)
    }
}

extension UplinkMessage.Hello: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(deviceID)
        writer.string(agentVersion, .u8)
        writer.bytes(supportedVersions, .u8)
        writer.optional(lastEventSequence.map(UplinkSequence.init))
        writer.array(trustedKeyIDs, .u8)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let deviceID: DeviceID = try reader.decode()
        let agentVersion = try reader.string("agent version", .u8, limit: UplinkLimits.agentVersionLength)
        let versions = try reader.bytes("supported versions", .u8, limit: UplinkLimits.supportedVersionCount)
        let last: UplinkSequence? = try reader.optional("last event sequence")
        let keys: [KeyID] = try reader.array(
            "trusted key ids", .u8, limit: UplinkLimits.trustedKeyCount, minimumElementSize: KeyID.byteCount
        )
        try self.init(checking: deviceID, agentVersion, versions, last?.value, keys)
    }
}

extension UplinkMessage.AuthNonce: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.raw(bytes) }

    public init(from reader: inout ByteReader) throws(WireError) {
        bytes = try reader.raw("nonce", count: Self.byteCount)
    }
}

extension UplinkMessage.Challenge: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(nonce)
        writer.encode(serverTime)
        writer.encode(serverID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        nonce = try reader.decode()
        serverTime = try Timestamp(from: &reader, field: "server time")
        serverID = try reader.decode()
    }
}

extension UplinkMessage.AuthProof: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.encode(signature) }

    public init(from reader: inout ByteReader) throws(WireError) {
        signature = try reader.decode()
    }
}

extension UplinkMessage.AuthResult: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case let .accepted(lastSequenceHeld):
            writer.u8(1)
            writer.optional(lastSequenceHeld.map(UplinkSequence.init))
        case let .refused(refusal):
            writer.u8(2)
            writer.encode(refusal)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.u8("auth result") {
        case 1:
            let last: UplinkSequence? = try reader.optional("last sequence held")
            self = .accepted(lastSequenceHeld: last?.value)
        case 2:
            self = .refused(try reader.decode())
        case let tag:
            throw .unknownTag(field: "auth result", tag: UInt64(tag))
        }
    }
}

/// An event sequence number: a bare u64, wrapped so it can be an `optional` on the wire.
struct UplinkSequence: WireCodable {
    let value: UInt64

    init(_ value: UInt64) { self.value = value }

    func encode(to writer: inout ByteWriter) { writer.u64(value) }

    init(from reader: inout ByteReader) throws(WireError) {
        value = try reader.u64("sequence")
    }
}
