import Foundation
import Protocol
import Synchronization

/// The agent's idea of "now" (docs/grants.md, the clock rule): never earlier than the newest time
/// it has evidence of — the real-time clock, the last event it logged, the newest grant issue
/// time it has seen — so a box whose RTC is reset to 1970 cannot make expired grants valid again.
public final class AgentClock: Sendable {
    private let floor: Mutex<Timestamp>
    private let wallClock: @Sendable () -> Timestamp

    public init(floor: Timestamp = Timestamp(millisecondsSinceEpoch: 0),
                wallClock: @escaping @Sendable () -> Timestamp = AgentClock.systemTime) {
        self.floor = Mutex(floor)
        self.wallClock = wallClock
    }

    public static func systemTime() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// max(wall clock, floor); the floor moves up to the answer, so time never goes back.
    public func now() -> Timestamp {
        let wall = wallClock()
        return floor.withLock { floor in
            if wall > floor { floor = wall }
            return floor
        }
    }

    /// Raises the floor to `time` (an event's time, a grant's issue time) if it is later.
    public func observe(_ time: Timestamp) {
        floor.withLock { floor in
            if time > floor { floor = time }
        }
    }
}
