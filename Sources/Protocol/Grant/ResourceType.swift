/// The two kinds of hardware an agent drives: what a grant unlocks, what a grant request asks
/// for, what a firmware image is for. `u8` on the wire: 1 copier, 2 seal; any other value is
/// refused.
///
/// (Named "type" because `ResourceKind` is already the identifier kind of `ResourceID`.)
public enum ResourceType: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case copier = 1
    case seal = 2

    public var description: String {
        switch self {
        case .copier: return "copier"
        case .seal: return "seal"
        }
    }
}

extension ResourceType: WireEnum {
    public static let wireField = "resource type"
}
