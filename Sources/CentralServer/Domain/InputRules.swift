import Foundation
import Protocol

/// The rules for values people give the server. Each check returns the typed value or throws an
/// `InputError` naming the field, so the CLI and the REST API refuse bad input the same way.
public enum InputRules {
    public static let pinDigits = 4...16
    public static let nameLength = 1...128
    public static let departmentLength = 1...64
    public static let passwordLength = 8...128

    /// A user id: the protocol's identifier (1-64 of `A-Z a-z 0-9 . _ - : @`).
    public static func userID(_ text: String, field: String = "id") throws(InputError) -> UserID {
        do { return try UserID(text) } catch { throw InputError(field: field, error.description) }
    }

    public static func deviceID(_ text: String, field: String = "device_id") throws(InputError) -> DeviceID {
        do { return try DeviceID(text) } catch { throw InputError(field: field, error.description) }
    }

    public static func resourceID(_ text: String, field: String = "resource_id") throws(InputError) -> ResourceID {
        do { return try ResourceID(text) } catch { throw InputError(field: field, error.description) }
    }

    /// A person's display name: 1-128 characters, none of them hidden (`HiddenCharacters`).
    public static func name(_ text: String, field: String = "name") throws(InputError) -> String {
        try plainText(text, field: field, length: nameLength)
    }

    /// A department: 1-64 characters, none of them hidden. Compared exactly (case matters).
    public static func department(_ text: String, field: String = "department") throws(InputError) -> String {
        try plainText(text, field: field, length: departmentLength)
    }

    /// A card number as a reader delivers it: the uplink's rule (1-64 printable ASCII bytes), so
    /// every card the server stores can be presented at a device.
    public static func cardNumber(_ text: String, field: String = "card") throws(InputError) -> String {
        do { return try UplinkMessage.CardNumber(text).value } catch { throw InputError(field: field, error.description) }
    }

    /// A PIN: 4 to 16 ASCII digits.
    public static func pin(_ text: String, field: String = "pin") throws(InputError) -> String {
        guard pinDigits.contains(text.count) else {
            throw InputError(field: field, "must be \(pinDigits.lowerBound) to \(pinDigits.upperBound) digits, got \(text.count) characters")
        }
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw InputError(field: field, "must contain only the digits 0-9")
        }
        return text
    }

    /// A web password: 8 to 128 characters.
    public static func password(_ text: String, field: String = "password") throws(InputError) -> String {
        guard passwordLength.contains(text.count) else {
            throw InputError(field: field, "must be \(passwordLength.lowerBound) to \(passwordLength.upperBound) characters")
        }
        return text
    }

    public static func paperSize(_ text: String, field: String = "paper") throws(InputError) -> PaperSize {
        guard let size = PaperSize(name: text) else {
            throw InputError(field: field, "unknown paper size \"\(text)\" (one of \(PaperSize.allCases.map(\.description).joined(separator: ", ")))")
        }
        return size
    }

    public static func currency(_ text: String, field: String = "currency") throws(InputError) -> CurrencyCode {
        do { return try CurrencyCode(text) } catch { throw InputError(field: field, "must be three letters A-Z (ISO 4217), got \"\(text)\"") }
    }

    /// A price per page in minor units: 1 to 2^32 - 1 (a limit grant carries it as a `u32`, and a
    /// free page would make a money quota unlimited).
    public static func pricePerPage(_ value: Int64, field: String = "price") throws(InputError) -> UInt32 {
        guard value >= 1, let price = UInt32(exactly: value) else {
            throw InputError(field: field, "must be 1 to \(UInt32.max) minor units, got \(value)")
        }
        return price
    }

    /// A quota amount (first limit, adjustment): 0 to 10^12, in pages or minor units.
    public static func quotaAmount(_ value: Int64, field: String) throws(InputError) -> Int64 {
        guard (0...1_000_000_000_000).contains(value) else {
            throw InputError(field: field, "must be 0 to 1000000000000, got \(value)")
        }
        return value
    }

    /// A ledger note (why an entry was made): 1-200 characters, none of them hidden.
    public static func note(_ text: String, field: String = "note") throws(InputError) -> String {
        try plainText(text, field: field, length: 1...200)
    }

    /// Refuses text that holds a character that changes how it looks without showing itself
    /// (bidi controls, zero-width and other invisible characters, control characters), naming
    /// the field and the character: `name: contains U+202E RIGHT-TO-LEFT OVERRIDE, which can
    /// disguise text on screen`. The one check every name, title and note goes through.
    public static func displayText(_ text: String, field: String, allowingLineBreaks: Bool = false) throws(InputError) {
        if let problem = HiddenCharacters.problem(in: text, allowingLineBreaks: allowingLineBreaks) {
            throw InputError(field: field, problem)
        }
    }

    private static func plainText(_ text: String, field: String, length: ClosedRange<Int>) throws(InputError) -> String {
        guard length.contains(text.count) else {
            throw InputError(field: field, text.isEmpty ? "must not be empty" : "must be at most \(length.upperBound) characters")
        }
        try displayText(text, field: field)
        guard text.trimmingCharacters(in: .whitespaces) == text else {
            throw InputError(field: field, "must not start or end with spaces")
        }
        return text
    }
}
