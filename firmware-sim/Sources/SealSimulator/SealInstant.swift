import Protocol

/// When something happens to the seal: the wall clock, for a grant's validity period, and a
/// monotonic clock, for the watchdog and report resends (which must not jump when the wall
/// clock is set).
public struct SealInstant: Hashable, Sendable {
    public let wall: Timestamp
    public let uptimeMilliseconds: Int64

    public init(wall: Timestamp, uptimeMilliseconds: Int64) {
        self.wall = wall
        self.uptimeMilliseconds = uptimeMilliseconds
    }

    public func adding(milliseconds: Int64) -> SealInstant {
        SealInstant(wall: wall.adding(milliseconds: milliseconds), uptimeMilliseconds: uptimeMilliseconds + milliseconds)
    }
}
