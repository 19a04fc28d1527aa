/// The life counters of input registers 0-5. Each saturates at `UInt32.max` rather than wrap,
/// since the map promises they never go down.
public struct CopierTotals: Hashable, Sendable, CustomStringConvertible {
    public internal(set) var pages: UInt32
    public internal(set) var colourPages: UInt32
    public internal(set) var monoPages: UInt32

    public static let zero = CopierTotals(pages: 0, colourPages: 0, monoPages: 0)

    public init(pages: UInt32, colourPages: UInt32, monoPages: UInt32) {
        self.pages = pages
        self.colourPages = colourPages
        self.monoPages = monoPages
    }

    /// True when `pages` is the sum of the two kinds, or has saturated.
    public var isConsistent: Bool {
        let sum = UInt64(colourPages) + UInt64(monoPages)
        return UInt64(pages) == sum || (pages == .max && sum >= UInt64(UInt32.max))
    }

    mutating func count(colour: Bool) {
        pages = pages.addingSaturating(1)
        if colour { colourPages = colourPages.addingSaturating(1) } else { monoPages = monoPages.addingSaturating(1) }
    }

    public var description: String { "\(pages) page(s): \(colourPages) colour, \(monoPages) mono" }
}

extension UInt32 {
    func addingSaturating(_ other: UInt32) -> UInt32 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
