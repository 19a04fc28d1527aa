import Protocol

/// Whoever decides a tap when the agent can ask: the central server over the uplink, or in tests
/// a local signer. The agent verifies whatever comes back; an authority is never trusted blindly.
public protocol GrantAuthority: Sendable {
    func requestGrant(_ credential: Credential, copier: ResourceID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer
}

public enum GrantAnswer: Sendable, Equatable {
    /// A signed access grant, and the user's signed limit grant for offline use if sent.
    case granted(grantToken: [UInt8], limitGrantToken: [UInt8]?)
    /// The server refused; `message` is for the person at the device.
    case refused(reason: UplinkMessage.RefusalReason, message: String)
}

public enum GrantAuthorityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No answer could be had (link down, timeout): the agent decides offline.
    case unreachable(String)

    public var description: String {
        switch self {
        case let .unreachable(reason): return "the server cannot be reached: \(reason)"
        }
    }
}

/// Whoever issues seal grants: the server, for an approved application (docs/seal-approval.md).
/// There is no offline seal use: an application's uses are counted by the server.
public protocol SealGrantAuthority: Sendable {
    func requestSealGrant(_ credential: Credential, seal: ResourceID, application: ApplicationID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer
}
