import Protocol

/// Checks an event batch from a device against what the server already holds for it (SPEC A6:
/// nothing lost, nothing counted twice; DESIGN: the server checks the chain). Pure.
///
/// Events at or below the stored head must be byte-for-byte what is stored (a resend after a
/// lost ack): they are skipped. Events above it must continue the chain exactly: the next
/// sequence, the stored head's hash as their previous hash, this device's id. Anything else is
/// refused whole, naming the first event that is wrong; nothing of a refused batch is stored.
public enum EventIngestion {
    public struct Head: Sendable, Equatable {
        public let sequence: UInt64
        public let hash: Hash32
        public init(sequence: UInt64, hash: Hash32) {
            self.sequence = sequence
            self.hash = hash
        }
    }

    public struct Accepted: Sendable, Equatable {
        /// The events to store, in order (none when the whole batch was a resend).
        public let newEvents: [Event]
        /// How many events were already held and skipped.
        public let duplicates: Int
        /// The head after storing `newEvents`: what to acknowledge.
        public let head: Head?
    }

    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(sequence: UInt64, WireError)
        case wrongDevice(sequence: UInt64, found: DeviceID)
        case wrongSequence(expected: UInt64, found: UInt64)
        case gap(after: UInt64, found: UInt64)
        case chainBreak(sequence: UInt64)
        case differsFromStored(sequence: UInt64)

        public var description: String {
            switch self {
            case let .malformed(sequence, error): return "event \(sequence) is malformed: \(error)"
            case let .wrongDevice(sequence, found): return "event \(sequence) names device \(found)"
            case let .wrongSequence(expected, found): return "event at position \(expected) says it is \(found)"
            case let .gap(after, found): return "the batch starts at \(found) but the server holds events only up to \(after)"
            case let .chainBreak(sequence): return "event \(sequence) does not continue the chain (its previous hash is not the hash of event \(sequence - 1))"
            case let .differsFromStored(sequence): return "event \(sequence) differs from the event \(sequence) already stored"
            }
        }

        /// The sequence number the refusal names, for the security event.
        public var sequence: UInt64 {
            switch self {
            case let .malformed(sequence, _), let .wrongDevice(sequence, _), let .chainBreak(sequence), let .differsFromStored(sequence): return sequence
            case let .wrongSequence(expected, _): return expected
            case let .gap(_, found): return found
            }
        }
    }

    /// - Parameters:
    ///   - head: the last event stored for this device (nil: none yet).
    ///   - storedHash: the stored hash of an event at or below `head` (for resends).
    public static func check(
        batch: UplinkMessage.EventBatch, device: DeviceID, head: Head?, storedHash: (UInt64) -> Hash32?
    ) -> Result<Accepted, Refusal> {
        var current = head
        var newEvents: [Event] = []
        var duplicates = 0
        let stored = head?.sequence ?? 0
        if batch.firstSequence > stored + 1 { return .failure(.gap(after: stored, found: batch.firstSequence)) }
        for (offset, bytes) in batch.events.enumerated() {
            let sequence = batch.firstSequence + UInt64(offset)
            let event: Event
            do { event = try Event(wireBytes: bytes) } catch { return .failure(.malformed(sequence: sequence, error)) }
            guard event.sequence == sequence else { return .failure(.wrongSequence(expected: sequence, found: event.sequence)) }
            guard event.deviceID == device else { return .failure(.wrongDevice(sequence: sequence, found: event.deviceID)) }
            if sequence <= stored {
                guard storedHash(sequence) == event.hash else { return .failure(.differsFromStored(sequence: sequence)) }
                duplicates += 1
                continue
            }
            let previous = current?.hash ?? .zero
            guard event.previousHash == previous else { return .failure(.chainBreak(sequence: sequence)) }
            newEvents.append(event)
            current = Head(sequence: sequence, hash: event.hash)
        }
        return .success(Accepted(newEvents: newEvents, duplicates: duplicates, head: current))
    }
}
