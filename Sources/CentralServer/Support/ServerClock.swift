import Foundation
import Protocol

/// Where the server gets the time. Domain code takes `Timestamp` parameters; the shell asks a
/// clock, which tests replace.
public protocol ServerClock: Sendable {
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemClock: ServerClock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// A clock that says what it is told; for tests.
public final class ManualClock: ServerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    public func set(_ moment: Timestamp) { lock.withLock { current = moment } }

    public func advance(milliseconds: Int64) { lock.withLock { current = current.adding(milliseconds: milliseconds) } }
}
