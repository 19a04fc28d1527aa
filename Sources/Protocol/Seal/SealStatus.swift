/// Whether the seal's anti-theft lock is open, and under which grant.
public enum SealLockState: Hashable, Sendable {
    case locked
    /// A session is open; the seal locks itself when `usesRemaining` reaches 0, so it is at
    /// least 1 here.
    case unlocked(grantID: GrantID, usesRemaining: UInt16)
}

/// Seal → agent: the answer to a status request.
public struct SealStatus: Hashable, Sendable {
    public let lock: SealLockState
    /// Stamps made over the seal's whole life.
    public let totalStamps: UInt32
    /// The watchdog period the seal is using.
    public let watchdogMilliseconds: UInt16
    /// Whether the seal sits in its monitored position (it locks at once when it leaves it).
    public let seated: Bool

    public init(lock: SealLockState, totalStamps: UInt32, watchdogMilliseconds: UInt16, seated: Bool) throws(WireError) {
        if case .unlocked(_, 0) = lock {
            throw .invalidValue(field: "uses remaining", reason: "an unlocked seal has at least 1 use left")
        }
        try SealHeartbeat.checkWatchdog(watchdogMilliseconds)
        self.lock = lock
        self.totalStamps = totalStamps
        self.watchdogMilliseconds = watchdogMilliseconds
        self.seated = seated
    }

    public var isUnlocked: Bool { lock != .locked }

    public var usesRemaining: UInt16 {
        if case let .unlocked(_, uses) = lock { return uses }
        return 0
    }

    public var grantID: GrantID? {
        if case let .unlocked(grant, _) = lock { return grant }
        return nil
    }
}

extension SealStatus: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        switch lock {
        case .locked:
            writer.u8(0)
        case let .unlocked(grantID, usesRemaining):
            writer.u8(1)
            writer.u16(usesRemaining)
            writer.encode(grantID)
        }
        writer.u32(totalStamps)
        writer.u16(watchdogMilliseconds)
        writer.bool(seated)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let lock: SealLockState
        switch try reader.u8("lock state") {
        case 0:
            lock = .locked
        case 1:
            let uses = try reader.u16("uses remaining")
            lock = .unlocked(grantID: try reader.decode(), usesRemaining: uses)
        case let tag:
            throw .unknownTag(field: "lock state", tag: UInt64(tag))
        }
        try self.init(
            lock: lock,
            totalStamps: try reader.u32("total stamps"),
            watchdogMilliseconds: try reader.u16("watchdog ms"),
            seated: try reader.bool("seated")
        )
    }
}

/// Seal → agent, unsolicited: one stamp was made.
public struct SealStampReport: Hashable, Sendable {
    /// The seal's lifetime stamp count including this stamp: consecutive reports differ by 1,
    /// so the agent sees a missed or repeated report.
    public let stampNumber: UInt32
    /// Uses left in the session after this stamp (0: the seal has locked).
    public let usesRemaining: UInt16
    public let grantID: GrantID

    public init(stampNumber: UInt32, usesRemaining: UInt16, grantID: GrantID) throws(WireError) {
        guard stampNumber >= 1 else { throw .invalidValue(field: "stamp number", reason: "stamps are numbered from 1") }
        self.stampNumber = stampNumber
        self.usesRemaining = usesRemaining
        self.grantID = grantID
    }
}

extension SealStampReport: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(stampNumber)
        writer.u16(usesRemaining)
        writer.encode(grantID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            stampNumber: try reader.u32("stamp number"),
            usesRemaining: try reader.u16("uses remaining"),
            grantID: try reader.decode()
        )
    }
}
