/// Agent → seal: open a session for at most `uses` stamps under a server-signed grant.
public struct SealUnlock: Hashable, Sendable {
    public static let maximumGrantTokenSize = 2048

    /// The grant exactly as the server signed it; the seal verifies it, the frame does not
    /// look inside.
    public let grantToken: [UInt8]
    public let uses: UInt16
    /// The nonce of the seal's latest device info answer.
    public let nonce: SealNonce

    public init(grantToken: [UInt8], uses: UInt16, nonce: SealNonce) throws(WireError) {
        try Self.check(grantToken: grantToken)
        try Self.check(uses: uses)
        self.grantToken = grantToken
        self.uses = uses
        self.nonce = nonce
    }

    private static func check(grantToken: [UInt8]) throws(WireError) {
        try FieldRules.checkBytes(grantToken.count, "grant token", limit: maximumGrantTokenSize)
    }

    private static func check(uses: UInt16) throws(WireError) {
        try FieldRules.checkAtLeastOne(uses, "uses")
    }
}

extension SealUnlock: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.bytes(grantToken, .u16)
        writer.u16(uses)
        writer.encode(nonce)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        grantToken = try reader.bytes("grant token", .u16, limit: Self.maximumGrantTokenSize)
        try Self.check(grantToken: grantToken)
        uses = try reader.u16("uses")
        try Self.check(uses: uses)
        nonce = try reader.decode()
    }
}

/// Seal → agent: the session is open.
public struct SealUnlocked: Hashable, Sendable {
    /// Stamps the seal will allow: the lesser of the requested uses and what the grant allows.
    public let usesAllowed: UInt16
    /// The id of the grant the seal accepted.
    public let grantID: GrantID

    public init(usesAllowed: UInt16, grantID: GrantID) throws(WireError) {
        try FieldRules.checkAtLeastOne(usesAllowed, "uses allowed")
        self.usesAllowed = usesAllowed
        self.grantID = grantID
    }
}

extension SealUnlocked: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u16(usesAllowed)
        writer.encode(grantID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(usesAllowed: try reader.u16("uses allowed"), grantID: try reader.decode())
    }
}

/// Agent → seal: keep the session open, and relock if no heartbeat comes within
/// `watchdogMilliseconds`.
public struct SealHeartbeat: Hashable, Sendable {
    public static let watchdogRange: ClosedRange<UInt16> = 100...60000
    /// The seal's watchdog before the first heartbeat.
    public static let defaultWatchdog: UInt16 = 2000

    public let watchdogMilliseconds: UInt16

    public init(watchdogMilliseconds: UInt16) throws(WireError) {
        try Self.checkWatchdog(watchdogMilliseconds)
        self.watchdogMilliseconds = watchdogMilliseconds
    }

    static func checkWatchdog(_ value: UInt16) throws(WireError) {
        guard watchdogRange.contains(value) else {
            throw .invalidValue(field: "watchdog ms", reason: "must be \(watchdogRange.lowerBound)...\(watchdogRange.upperBound), got \(value)")
        }
    }
}

extension SealHeartbeat: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.u16(watchdogMilliseconds) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(watchdogMilliseconds: try reader.u16("watchdog ms"))
    }
}
