/// The kinds of things the protocol names. Each id type is distinct so that a user id can never
/// be passed where a device id is expected.
public protocol IdentifierKind: Sendable {
    static var field: String { get }
}

public enum DeviceKind: IdentifierKind { public static let field = "device id" }
public enum UserKind: IdentifierKind { public static let field = "user id" }
public enum ResourceKind: IdentifierKind { public static let field = "resource id" }
public enum AccountKind: IdentifierKind { public static let field = "account id" }

/// A name for a device, user, resource (a copier or a seal) or account.
///
/// 1 to 64 bytes from `A-Z a-z 0-9 . _ - : @`; encoded as a u8 length then the ASCII bytes.
/// The alphabet keeps ids safe in file names, URLs, logs and CSV without escaping.
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static var maximumLength: Int { 64 }
    public let value: String

    /// Validates `value`; the error says which character or length was wrong.
    public init(_ value: String) throws(WireError) {
        try Self.rule.check(value)
        self.value = value
    }

    public var description: String { value }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    static var rule: ASCIIName {
        ASCIIName(field: Kind.field, limit: maximumLength, alphabet: "one of A-Z a-z 0-9 . _ - : @", allows: isAllowed)
    }

    @Sendable private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}

extension Identifier: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.string(value, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        value = try Self.rule.read(from: &reader)
    }
}

public typealias DeviceID = Identifier<DeviceKind>
public typealias UserID = Identifier<UserKind>
public typealias ResourceID = Identifier<ResourceKind>
public typealias AccountID = Identifier<AccountKind>
