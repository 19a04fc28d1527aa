/// What an access grant allows. A zero count allows none of that thing: there is no
/// "unlimited" value, so a grant can never open a copier or seal without a bound.
///
/// Wire (13 bytes): pages u32, copies u32, colour allowed bool, seal uses u32.
public struct Allowance: Hashable, Sendable, CustomStringConvertible {
    /// Pages the copier may print in total (the page budget written to the copier).
    public let pages: UInt32
    /// Copies (sets) the copier may make.
    public let copies: UInt32
    /// Whether colour copies are allowed; mono is always allowed on a copier grant.
    public let colourAllowed: Bool
    /// Times the seal may stamp.
    public let sealUses: UInt32

    public static let byteCount = 13

    public init(pages: UInt32 = 0, copies: UInt32 = 0, colourAllowed: Bool = false, sealUses: UInt32 = 0) {
        self.pages = pages
        self.copies = copies
        self.colourAllowed = colourAllowed
        self.sealUses = sealUses
    }

    /// A copier allowance.
    public static func copier(pages: UInt32, copies: UInt32, colourAllowed: Bool) -> Allowance {
        Allowance(pages: pages, copies: copies, colourAllowed: colourAllowed)
    }

    /// A seal allowance.
    public static func seal(uses: UInt32) -> Allowance { Allowance(sealUses: uses) }

    /// True when `usage` has used up what this allowance grants for `type`: for a copier,
    /// every page or every copy; for a seal, every use.
    public func isExhausted(by usage: GrantUsage, for type: ResourceType) -> Bool {
        switch type {
        case .copier: return usage.pages >= pages || usage.copies >= copies
        case .seal: return usage.sealUses >= sealUses
        }
    }

    /// Checks that the allowance fits the resource type: a copier grant allows at least one page
    /// and one copy and no seal use; a seal grant allows at least one use and nothing else.
    func validate(for type: ResourceType) throws(WireError) {
        switch type {
        case .copier:
            guard pages > 0 else { throw .invalidValue(field: "allowance", reason: "a copier grant must allow at least one page") }
            guard copies > 0 else { throw .invalidValue(field: "allowance", reason: "a copier grant must allow at least one copy") }
            guard sealUses == 0 else { throw .invalidValue(field: "allowance", reason: "a copier grant must not allow seal uses") }
        case .seal:
            guard sealUses > 0 else { throw .invalidValue(field: "allowance", reason: "a seal grant must allow at least one use") }
            guard pages == 0, copies == 0, !colourAllowed else {
                throw .invalidValue(field: "allowance", reason: "a seal grant must not allow pages, copies or colour")
            }
        }
    }

    public var description: String {
        "pages \(pages), copies \(copies), colour \(colourAllowed ? "yes" : "no"), seal uses \(sealUses)"
    }
}

extension Allowance: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u32(pages)
        writer.u32(copies)
        writer.bool(colourAllowed)
        writer.u32(sealUses)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        pages = try reader.u32("allowed pages")
        copies = try reader.u32("allowed copies")
        colourAllowed = try reader.bool("colour allowed")
        sealUses = try reader.u32("allowed seal uses")
    }
}

/// How much of one grant has been used so far, as the agent counted it. Never on a wire.
public struct GrantUsage: Hashable, Sendable {
    public var pages: UInt32
    public var copies: UInt32
    public var sealUses: UInt32

    public init(pages: UInt32 = 0, copies: UInt32 = 0, sealUses: UInt32 = 0) {
        self.pages = pages
        self.copies = copies
        self.sealUses = sealUses
    }
}
