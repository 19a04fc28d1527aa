import Protocol

/// What the seal keeps across power cycles (its state dir): the lifetime stamp count, and the
/// grants it has opened a session for, each until the moment it could no longer verify, so a
/// grant can open one session only, even across a restart.
public struct SealMemory: Hashable, Sendable {
    public var totalStamps: UInt32
    /// Presses refused because the seal was locked: the seal's own record of attempts.
    public var refusedPresses: UInt32
    public var usedGrants: [GrantID: Timestamp]

    public init(totalStamps: UInt32 = 0, refusedPresses: UInt32 = 0, usedGrants: [GrantID: Timestamp] = [:]) {
        self.totalStamps = totalStamps
        self.refusedPresses = refusedPresses
        self.usedGrants = usedGrants
    }

    /// Forgets grants that can no longer verify anyway.
    mutating func prune(at now: Timestamp) {
        usedGrants = usedGrants.filter { $0.value >= now }
    }
}

extension SealMemory: UsedGrantIDs {
    public func contains(_ grantID: GrantID) -> Bool { usedGrants[grantID] != nil }
}
