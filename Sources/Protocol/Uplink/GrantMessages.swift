extension UplinkMessage {
    /// Server → agent, answering a `grantRequest`: the signed access grant, and optionally the
    /// limit grant that governs the user's use while offline. Both are the grant part's canonical
    /// token bytes (docs/grants.md), carried untouched because the signatures cover those exact
    /// bytes; the agent verifies them itself.
    public struct Grant: Hashable, Sendable {
        public let accessGrant: [UInt8]
        public let limitGrant: [UInt8]?

        public init(accessGrant: [UInt8], limitGrant: [UInt8]? = nil) throws(WireError) {
            try FieldRules.checkBytes(accessGrant.count, "access grant", limit: UplinkLimits.grantTokenSize)
            if let limitGrant {
                try FieldRules.checkBytes(limitGrant.count, "limit grant", limit: UplinkLimits.grantTokenSize)
            }
            self.accessGrant = accessGrant
            self.limitGrant = limitGrant
        }
    }

    /// Server → agent: current limit grants (second upper limits, SPEC B3), pushed on change and
    /// periodically. Each token is verified by the agent on its own.
    public struct LimitUpdate: Hashable, Sendable {
        /// 1 to 4096 tokens, each 1 to 4096 bytes.
        public let limitGrants: [[UInt8]]

        public init(limitGrants: [[UInt8]]) throws(WireError) {
            guard !limitGrants.isEmpty else {
                throw .invalidValue(field: "limit grants", reason: "must hold at least one token")
            }
            guard limitGrants.count <= UplinkLimits.limitTokenCount else {
                throw .tooLong(field: "limit grants", length: limitGrants.count, limit: UplinkLimits.limitTokenCount)
            }
            for token in limitGrants {
                try FieldRules.checkBytes(token.count, "limit grant", limit: UplinkLimits.grantTokenSize)
            }
            self.limitGrants = limitGrants
        }
    }

    /// Server → agent: the signed revocation list token (docs/grants.md), replacing the last one.
    public struct RevocationList: Hashable, Sendable {
        public let token: [UInt8]

        public init(token: [UInt8]) throws(WireError) {
            try FieldRules.checkBytes(token.count, "revocation list", limit: UplinkLimits.revocationListSize)
            self.token = token
        }
    }

    /// One server grant-verification key and the moment after which the agent stops accepting
    /// grants signed by it.
    public struct ServerKey: Hashable, Sendable {
        public let publicKey: PublicKey
        public let validUntil: Timestamp

        /// Derived from the public key; sent on the wire too, and checked against it.
        public var keyID: KeyID { publicKey.keyID }

        public init(publicKey: PublicKey, validUntil: Timestamp) {
            self.publicKey = publicKey
            self.validUntil = validUntil
        }
    }

    /// Server → agent: the server's grant-verification keys, so agents learn rotated keys before
    /// grants signed by them arrive. 1 to 16 keys, sorted by key id.
    public struct ServerKeys: Hashable, Sendable {
        public let keys: [ServerKey]

        /// Sorts `keys` by key id; refuses an empty list, more than 16 keys, or one key twice.
        public init(keys: [ServerKey]) throws(WireError) {
            try self.init(checking: keys.sorted { $0.keyID < $1.keyID })
        }

        private init(checking keys: [ServerKey]) throws(WireError) {
            guard !keys.isEmpty else { throw .invalidValue(field: "server keys", reason: "must hold at least one key") }
            guard keys.count <= UplinkLimits.serverKeyCount else {
                throw .tooLong(field: "server keys", length: keys.count, limit: UplinkLimits.serverKeyCount)
            }
            try UplinkFieldRules.checkStrictlyAscending(keys, "server keys") { $0.keyID < $1.keyID }
            self.keys = keys
        }
    }
}

extension UplinkMessage.Grant: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.bytes(accessGrant, .u16)
        writer.bool(limitGrant != nil)
        if let limitGrant { writer.bytes(limitGrant, .u16) }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let access = try reader.bytes("access grant", .u16, limit: UplinkLimits.grantTokenSize)
        let limit = try reader.bool("limit grant presence")
            ? try reader.bytes("limit grant", .u16, limit: UplinkLimits.grantTokenSize) : nil
        try self.init(accessGrant: access, limitGrant: limit)
    }
}

extension UplinkMessage.LimitUpdate: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.length(limitGrants.count, .u16)
        for token in limitGrants { writer.bytes(token, .u16) }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        // Each token takes at least its 2-byte length and 1 byte, which bounds the count by the input.
        let count = try reader.length("limit grants", .u16, limit: UplinkLimits.limitTokenCount, unitSize: 3)
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(count)
        for _ in 0..<count {
            tokens.append(try reader.bytes("limit grant", .u16, limit: UplinkLimits.grantTokenSize))
        }
        try self.init(limitGrants: tokens)
    }
}

extension UplinkMessage.RevocationList: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.bytes(token, .u32) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(token: try reader.bytes("revocation list", .u32, limit: UplinkLimits.revocationListSize))
    }
}

extension UplinkMessage.ServerKey: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(keyID)
        writer.encode(publicKey)
        writer.encode(validUntil)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let keyID: KeyID = try reader.decode()
        publicKey = try reader.decode()
        guard keyID == publicKey.keyID else {
            throw .invalidValue(field: "key id", reason: "\(keyID) does not name the public key that follows (\(publicKey.keyID))")
        }
        validUntil = try Timestamp(from: &reader, field: "valid until")
    }
}

extension UplinkMessage.ServerKeys: WireCodable {
    /// key id (8) + public key (32) + valid until (8).
    static let encodedKeySize = KeyID.byteCount + PublicKey.byteCount + 8

    public func encode(to writer: inout ByteWriter) { writer.array(keys, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let keys: [UplinkMessage.ServerKey] = try reader.array(
            "server keys", .u8, limit: UplinkLimits.serverKeyCount, minimumElementSize: Self.encodedKeySize
        )
        try self.init(checking: keys)
    }
}
