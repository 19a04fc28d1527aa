/// Why a session closed. The raw value is the `u8` on the wire.
public enum SessionCloseReason: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case logout = 1
    case idleTimeout = 2
    case budgetSpent = 3
    case grantExpired = 4
    case revoked = 5
    case fault = 6
    case agentRestart = 7
    case sealRemoved = 8

    public var description: String {
        switch self {
        case .logout: return "logout"
        case .idleTimeout: return "idle timeout"
        case .budgetSpent: return "budget spent"
        case .grantExpired: return "grant expired"
        case .revoked: return "revoked"
        case .fault: return "fault"
        case .agentRestart: return "agent restart"
        case .sealRemoved: return "seal removed"
        }
    }
}

extension SessionCloseReason: WireEnum {
    public static let wireField = "close reason"
}

/// A session opening or closing. Encoded as a `u8` (1 opened, 2 closed), followed for a close
/// by the reason's `u8`.
public enum SessionTransition: Hashable, Sendable, CustomStringConvertible {
    case opened
    case closed(SessionCloseReason)

    public var description: String {
        switch self {
        case .opened: return "opened"
        case let .closed(reason): return "closed (\(reason))"
        }
    }
}

extension SessionTransition: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .opened:
            writer.u8(1)
        case let .closed(reason):
            writer.u8(2)
            writer.encode(reason)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.u8("session transition") {
        case 1: self = .opened
        case 2: self = .closed(try reader.decode())
        case let other: throw .unknownTag(field: "session transition", tag: UInt64(other))
        }
    }
}

/// A user's session on a copier or seal opening (after a verified grant unlocked it) or closing.
///
/// The session id is a `u64` chosen by the agent, unique per device: the agent uses the
/// sequence number of the event that opened the session, so it needs no counter of its own and
/// (device id, session id) names a session everywhere.
public struct SessionEvent: Hashable, Sendable {
    public let sessionID: UInt64
    public let transition: SessionTransition
    public let userID: UserID
    /// The copier or seal the session unlocked.
    public let resourceID: ResourceID
    public let grantID: GrantID

    public init(sessionID: UInt64, transition: SessionTransition, userID: UserID, resourceID: ResourceID, grantID: GrantID) {
        self.sessionID = sessionID
        self.transition = transition
        self.userID = userID
        self.resourceID = resourceID
        self.grantID = grantID
    }
}

extension SessionEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.encode(transition)
        writer.encode(userID)
        writer.encode(resourceID)
        writer.encode(grantID)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(
            sessionID: try reader.u64("session id"),
            transition: try reader.decode(),
            userID: try reader.decode(),
            resourceID: try reader.decode(),
            grantID: try reader.decode()
        )
    }
}
