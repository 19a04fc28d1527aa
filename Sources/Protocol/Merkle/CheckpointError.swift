/// Why a checkpoint was not accepted.
public enum CheckpointError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The checkpoint names one key id, the key used to sign or verify has another.
    case keyIDMismatch(checkpoint: KeyID, key: KeyID)
    /// The signature is not the named key's signature over this checkpoint.
    case badSignature
    /// The checkpoint is about another device than the one expected.
    case wrongDevice(expected: DeviceID, found: DeviceID)
    /// The new checkpoint covers fewer events than the previous one.
    case logShrank(from: UInt64, to: UInt64)
    /// The consistency proof does not show the old tree to be a prefix of the new one: the
    /// device's log was rewritten, or the proof is wrong.
    case notConsistent(oldSize: UInt64, newSize: UInt64)

    public var description: String {
        switch self {
        case let .keyIDMismatch(checkpoint, key):
            return "checkpoint names key \(checkpoint), but the key given is \(key)"
        case .badSignature:
            return "checkpoint signature does not verify"
        case let .wrongDevice(expected, found):
            return "checkpoint is for device \(found), expected \(expected)"
        case let .logShrank(from, to):
            return "log shrank from \(from) to \(to) events"
        case let .notConsistent(oldSize, newSize):
            return "consistency proof from \(oldSize) to \(newSize) events does not verify"
        }
    }
}
