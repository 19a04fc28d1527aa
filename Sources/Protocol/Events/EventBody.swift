/// The kind of an event: the `u8` tag that selects its body's layout. Tag 0 and tags 8-255 are
/// unassigned; this version refuses them, and a later version adds kinds by taking new tags
/// (an event's meaning never changes under an existing tag).
public enum EventKind: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case copyJob = 1
    case content = 2
    case photo = 3
    case sealUse = 4
    case session = 5
    case fault = 6
    case partPrint = 7

    public var description: String {
        switch self {
        case .copyJob: return "copy job"
        case .content: return "content"
        case .photo: return "photo"
        case .sealUse: return "seal use"
        case .session: return "session"
        case .fault: return "fault"
        case .partPrint: return "part print"
        }
    }
}

extension EventKind: WireEnum {
    public static let wireField = "event kind"
}

/// What happened. Encoded as the kind's `u8` tag followed by that kind's fields.
public enum EventBody: Hashable, Sendable {
    case copyJob(CopyJobEvent)
    case content(ContentEvent)
    case photo(PhotoEvent)
    case sealUse(SealUseEvent)
    case session(SessionEvent)
    case fault(FaultEvent)
    /// A released split part printed (not charged again: its payers paid at release).
    case partPrint(PartPrintEvent)

    public var kind: EventKind {
        switch self {
        case .copyJob: return .copyJob
        case .content: return .content
        case .photo: return .photo
        case .sealUse: return .sealUse
        case .session: return .session
        case .fault: return .fault
        case .partPrint: return .partPrint
        }
    }
}

extension EventBody: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(kind)
        switch self {
        case let .copyJob(value): writer.encode(value)
        case let .content(value): writer.encode(value)
        case let .photo(value): writer.encode(value)
        case let .sealUse(value): writer.encode(value)
        case let .session(value): writer.encode(value)
        case let .fault(value): writer.encode(value)
        case let .partPrint(value): writer.encode(value)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.decode(EventKind.self) {
        case .copyJob: self = .copyJob(try reader.decode())
        case .content: self = .content(try reader.decode())
        case .photo: self = .photo(try reader.decode())
        case .sealUse: self = .sealUse(try reader.decode())
        case .session: self = .session(try reader.decode())
        case .fault: self = .fault(try reader.decode())
        case .partPrint: self = .partPrint(try reader.decode())
        }
    }
}
