import Foundation

/// An `application/x-www-form-urlencoded` body (what a plain HTML form posts), parsed. Pure.
public struct FormFields: Hashable, Sendable {
    /// Every name=value pair in order; a name may repeat (checkboxes).
    public let pairs: [(String, String)]

    public static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.pairs.map { "\($0.0)=\($0.1)" } == rhs.pairs.map { "\($0.0)=\($0.1)" }
    }

    public func hash(into hasher: inout Hasher) {
        for (name, value) in pairs { hasher.combine(name); hasher.combine(value) }
    }

    public init(pairs: [(String, String)]) { self.pairs = pairs }

    /// Parses a body; a malformed percent escape is an error naming where it is.
    public init(parsing body: String) throws(FormError) {
        var pairs: [(String, String)] = []
        for part in body.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(String(pieces[0]))
            let value = pieces.count > 1 ? try Self.decode(String(pieces[1])) : ""
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The first value for `name`, trimmed; nil when absent or blank.
    public subscript(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value for `name` (checkboxes, multi-selects).
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }

    /// A required field.
    public func require(_ name: String) throws(FormError) -> String {
        guard let value = self[name] else { throw FormError("the field \(name) is required") }
        return value
    }

    /// A required whole number.
    public func integer(_ name: String) throws(FormError) -> Int64 {
        let text = try require(name)
        guard let value = Int64(text) else { throw FormError("the field \(name) must be a whole number, got \"\(text)\"") }
        return value
    }

    /// Percent-decoding with `+` as space (the form encoding).
    static func decode(_ text: String) throws(FormError) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(32)
            case UInt8(ascii: "%"):
                guard utf8.count >= 2, let high = hexValue(utf8.popFirst()!), let low = hexValue(utf8.popFirst()!) else {
                    throw FormError("a malformed % escape in \"\(text.prefix(40))\"")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw FormError("the form is not UTF-8 text") }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}

/// A form that cannot be read: says what was wrong with it.
public struct FormError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
