/// The paper sizes a copier job can use. The raw value is the code on every wire: a `u8` in
/// uplink and event encodings, a register value in the copier's Modbus map.
public enum PaperSize: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case a4 = 1
    case a3 = 2
    case b4 = 3
    case b5 = 4
    case letter = 5
    case legal = 6

    /// The name a person types or reads: `A4`, `A3`, `B4`, `B5`, `Letter`, `Legal`.
    public var description: String {
        switch self {
        case .a4: return "A4"
        case .a3: return "A3"
        case .b4: return "B4"
        case .b5: return "B5"
        case .letter: return "Letter"
        case .legal: return "Legal"
        }
    }

    /// Parses a name case-insensitively (`a4`, `Letter`, ...); nil for anything else.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }
}

extension PaperSize: WireEnum {
    public static let wireField = "paper size"
}
