/// The point a chain continues from: the sequence number and hash of the last event already
/// verified (the server keeps one per device). `genesis` is the point before event 1.
public struct ChainAnchor: Hashable, Sendable, CustomStringConvertible {
    public static let genesis = ChainAnchor(sequence: 0, hash: .zero)

    public let sequence: UInt64
    public let hash: Hash32

    public init(sequence: UInt64, hash: Hash32) {
        self.sequence = sequence
        self.hash = hash
    }

    /// The anchor just after `event`.
    public init(after event: Event) {
        self.init(sequence: event.sequence, hash: event.hash)
    }

    public var description: String { "\(sequence)@\(hash.hex.prefix(16))" }
}

/// Where and how a chain is broken.
public struct ChainBreak: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable, CustomStringConvertible {
        /// Event `sequence` does not hash to the previous hash recorded by event `sequence + 1`:
        /// its content was changed (or the next event's previous-hash field was).
        case changed
        /// Event `sequence` is missing: the events jump past its number and it is nowhere later.
        case removed
        /// Event `sequence` sits where a lower number was due, and that number comes later:
        /// events are out of order. `sequence` is the first event found out of place.
        case reordered
        /// A second or extra event numbered `sequence`, at or below a number already seen.
        case inserted
        /// Event `sequence` names another device.
        case wrongDevice
        /// The first event, numbered `sequence`, does not continue from the anchor: its number
        /// is at or before the anchor's, or its previous hash is not the anchor's hash.
        case doesNotContinueAnchor

        public var description: String {
            switch self {
            case .changed: return "changed"
            case .removed: return "removed"
            case .reordered: return "reordered"
            case .inserted: return "inserted"
            case .wrongDevice: return "wrong device"
            case .doesNotContinueAnchor: return "does not continue from the anchor"
            }
        }
    }

    public let sequence: UInt64
    public let kind: Kind

    public init(sequence: UInt64, kind: Kind) {
        self.sequence = sequence
        self.kind = kind
    }

    public var description: String { "event \(sequence): \(kind)" }
}

/// The verdict on a run of events.
public enum ChainVerification: Hashable, Sendable, CustomStringConvertible {
    /// Every event continues the chain; `head` is the anchor after the last one (the anchor
    /// given when there were no events).
    case ok(head: ChainAnchor)
    /// The first break found, in the order the events were given.
    case broken(ChainBreak)

    public var description: String {
        switch self {
        case let .ok(head): return "ok, head \(head)"
        case let .broken(chainBreak): return "broken at \(chainBreak)"
        }
    }
}

/// Checks a device's events against the chain rule: event `n` is numbered one more than the
/// event before it, carries that event's hash as its previous hash, and names the same device;
/// the first event continues from the anchor (event 1 from `ChainAnchor.genesis`).
public enum EventChain {
    /// Walks `events` in the order given and reports the first break. Pure and O(n): each
    /// event is hashed once.
    ///
    /// The last event given is protected only by what follows it: a change to it shows up when
    /// the next event arrives, or against a signed checkpoint's Merkle root.
    public static func verify(_ events: [Event], device: DeviceID, from anchor: ChainAnchor = .genesis) -> ChainVerification {
        var last = anchor.sequence
        var previousHash = anchor.hash
        for (index, event) in events.enumerated() {
            guard event.deviceID == device else {
                return .broken(ChainBreak(sequence: event.sequence, kind: .wrongDevice))
            }
            guard event.sequence > last else {
                let kind: ChainBreak.Kind = index == 0 ? .doesNotContinueAnchor : .inserted
                return .broken(ChainBreak(sequence: event.sequence, kind: kind))
            }
            // Written as a difference so that no sequence number near UInt64.max overflows.
            guard event.sequence - last == 1 else {
                let expected = last + 1
                let comesLater = events[(index + 1)...].contains { $0.sequence == expected }
                return .broken(comesLater
                    ? ChainBreak(sequence: event.sequence, kind: .reordered)
                    : ChainBreak(sequence: expected, kind: .removed))
            }
            guard event.previousHash == previousHash else {
                return .broken(index == 0
                    ? ChainBreak(sequence: event.sequence, kind: .doesNotContinueAnchor)
                    : ChainBreak(sequence: last, kind: .changed))
            }
            previousHash = event.hash
            last = event.sequence
        }
        let head = events.last.map(ChainAnchor.init(after:)) ?? anchor
        return .ok(head: head)
    }
}
