/// What a person presents at the device: a card (optionally with a PIN) or a user id with a PIN.
public enum Credential: Sendable, Equatable, CustomStringConvertible {
    case card(number: String, pin: String?)
    case user(id: String, pin: String)

    public static let maximumCardLength = 64
    public static let maximumPINLength = 16

    /// Checks lengths and characters before anything is sent anywhere.
    public func validated() throws(CredentialError) -> Credential {
        switch self {
        case let .card(number, pin):
            try Self.check(number, field: "card number", maximum: Self.maximumCardLength)
            if let pin { try Self.checkPIN(pin) }
        case let .user(id, pin):
            try Self.check(id, field: "user id", maximum: 64)
            try Self.checkPIN(pin)
        }
        return self
    }

    private static func check(_ value: String, field: String, maximum: Int) throws(CredentialError) {
        guard !value.isEmpty else { throw .empty(field: field) }
        guard value.utf8.count <= maximum else { throw .tooLong(field: field, maximum: maximum) }
        guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." || $0 == ":" || $0 == "@") }) else {
            throw .badCharacters(field: field)
        }
    }

    private static func checkPIN(_ pin: String) throws(CredentialError) {
        guard (4...Self.maximumPINLength).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .badPIN
        }
    }

    /// For logs: never the PIN.
    public var description: String {
        switch self {
        case let .card(number, pin): return "card \(number)\(pin == nil ? "" : " + PIN")"
        case let .user(id, _): return "user \(id) + PIN"
        }
    }
}

public enum CredentialError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty(field: String)
    case tooLong(field: String, maximum: Int)
    case badCharacters(field: String)
    case badPIN

    public var description: String {
        switch self {
        case let .empty(field): return "the \(field) is empty"
        case let .tooLong(field, maximum): return "the \(field) is longer than \(maximum) characters"
        case let .badCharacters(field): return "the \(field) may hold only letters, digits and . _ - : @"
        case .badPIN: return "a PIN is 4 to 16 digits"
        }
    }
}
