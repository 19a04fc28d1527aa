import Protocol

/// What a copy job costs (SPEC A4, B1): colour pages at the colour price and mono pages at the
/// mono price for its paper size, in the user's quota currency (or the first currency priced
/// when the user has a page quota or none). Pure.
public enum JobPricing {
    /// The dearest job this server charges, in minor units: 2^53 - 1, the largest integer a
    /// JSON reader that uses doubles (every browser) still reads exactly, and small enough that
    /// a ledger of a thousand such jobs still sums inside Int64. A page count and a price that
    /// multiply past it come from a faulty or hostile device, not from a copier (issue 21: 3e9
    /// colour pages at the largest price trapped the server, and the agent resent the job on
    /// every reconnect).
    public static let maximumAmount: Int64 = (1 << 53) - 1

    public struct Priced: Sendable, Equatable {
        public let amount: Int64
        public let currency: CurrencyCode?
    }

    /// The job's price; nil when it is beyond `maximumAmount` (the caller stores the job
    /// uncharged and says so to auditors).
    public static func price(_ job: CopyJobEvent, prices: [Price], currency preferred: CurrencyCode?) -> Priced? {
        price(colourPages: Int64(job.colourPages), monoPages: Int64(job.monoPages), paperSize: job.paperSize, prices: prices, currency: preferred)
    }

    /// The same rule for pages that are not (yet) a copier's job record: a released split part.
    public static func price(colourPages: Int64, monoPages: Int64, paperSize: PaperSize, prices: [Price], currency preferred: CurrencyCode?) -> Priced? {
        guard let currency = preferred ?? prices.first?.currency else { return Priced(amount: 0, currency: nil) }
        func perPage(colour: Bool) -> Int64 {
            Int64(prices.first { $0.currency == currency && $0.paperSize == paperSize && $0.colour == colour }?.pricePerPage ?? 0)
        }
        let colour = colourPages.multipliedReportingOverflow(by: perPage(colour: true))
        let mono = monoPages.multipliedReportingOverflow(by: perPage(colour: false))
        guard !colour.overflow, !mono.overflow else { return nil }
        let total = colour.partialValue.addingReportingOverflow(mono.partialValue)
        guard !total.overflow, (0...maximumAmount).contains(total.partialValue) else { return nil }
        return Priced(amount: total.partialValue, currency: currency)
    }
}
