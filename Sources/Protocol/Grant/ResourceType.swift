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

extension ResourceType: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.u8(rawValue) }

    public init(from reader: inout ByteReader) throws(WireError) {
        let tag = try reader.u8("resource type")
        guard let type = ResourceType(rawValue: tag) else { throw .unknownTag(field: "resource type", tag: UInt64(tag)) }
        self = type
    }
}
