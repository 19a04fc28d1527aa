import Protocol

/// What a copy job costs (SPEC A4, B1): colour pages at the colour price and mono pages at the
/// mono price for its paper size, in the user's quota currency (or the first currency priced
/// when the user has a page quota or none). Pure.
public enum JobPricing {
    public static func price(_ job: CopyJobEvent, prices: [Price], currency preferred: CurrencyCode?) -> (amount: Int64, currency: CurrencyCode?) {
        price(colourPages: Int64(job.colourPages), monoPages: Int64(job.monoPages), paperSize: job.paperSize, prices: prices, currency: preferred)
    }

    /// The same rule for pages that are not (yet) a copier's job record: a released split part.
    public static func price(colourPages: Int64, monoPages: Int64, paperSize: PaperSize, prices: [Price], currency preferred: CurrencyCode?) -> (amount: Int64, currency: CurrencyCode?) {
        guard let currency = preferred ?? prices.first?.currency else { return (0, nil) }
        func perPage(colour: Bool) -> Int64 {
            Int64(prices.first { $0.currency == currency && $0.paperSize == paperSize && $0.colour == colour }?.pricePerPage ?? 0)
        }
        return (colourPages * perPage(colour: true) + monoPages * perPage(colour: false), currency)
    }
}
