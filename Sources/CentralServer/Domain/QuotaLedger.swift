import Protocol

/// What a payment does once it has repaid the overdraft the user is drawing on (docs/quotas.md,
/// "Payments"). The server's `--payment-policy` chooses; the default follows SPEC B4's first
/// reading: a payment raises the first limit.
public enum PaymentPolicy: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Repay the overdraft used, then raise the first limit with the rest.
    case firstLimit = "first-limit"
    /// Repay the overdraft used, then raise the adjustment (more overdraft) with the rest.
    case adjustment

    public var description: String { rawValue }
}

/// The quota rule of docs/quotas.md as a fold over the ledger: a user's state in one period is
/// computed from the ledger entries alone, in the order they were written. Pure; the worked
/// examples of docs/quotas.md are `QuotaLedgerTests`, row by row.
public enum QuotaLedger {
    /// The value of `entry` in `unit`: pages, or minor units of the quota's currency. Nil when the
    /// entry does not count for this unit (money in another currency; a standing limit or
    /// overdraft set for another unit).
    public static func value(of entry: LedgerEntry, in unit: QuotaUnit) -> Int64? {
        switch (unit, entry.kind) {
        case (.pages, .limit), (.pages, .overdraft):
            // Standing values carry no currency when they are in pages.
            return entry.currency == nil ? entry.pages : nil
        case (.pages, _):
            return entry.pages
        case let (.money(currency), _):
            return entry.currency == currency ? entry.amount : nil
        }
    }

    /// The state at `moment` of a quota counted in `unit` per `period`, from `entries`: every
    /// standing `limit` and `overdraft` entry written before the period (only the latest of each
    /// matters) and every entry written in the period up to `moment`, in any order (they are
    /// sorted by time, then by id). Entries after `moment` are ignored.
    public static func state(
        unit: QuotaUnit, period kind: QuotaPeriodKind, entries: [LedgerEntry], at moment: Timestamp, policy: PaymentPolicy
    ) -> QuotaState {
        let period = kind.period(containing: moment)
        let ordered = entries.enumerated().sorted { a, b in
            if a.element.at != b.element.at { return a.element.at < b.element.at }
            if let x = a.element.id, let y = b.element.id, x != y { return x < y }
            return a.offset < b.offset
        }.map(\.element)

        var baseFirst: Int64 = 0
        var baseOverdraft: Int64 = 0
        var raisedFirst: Int64 = 0
        var raisedAdjustment: Int64 = 0
        var used: Int64 = 0
        var repaid: Int64 = 0
        var paid: Int64 = 0
        for entry in ordered where entry.at <= moment {
            guard let value = value(of: entry, in: unit) else { continue }
            let inPeriod = period.contains(entry.at)
            switch entry.kind {
            case .limit:
                baseFirst = value
            case .overdraft:
                baseOverdraft = value
            case .use where inPeriod:
                used = Saturating.add(used, value)
            case .adjustment where inPeriod:
                raisedAdjustment = Saturating.add(raisedAdjustment, value)
            case .payment where inPeriod:
                let value = max(0, value)
                let first = Saturating.add(baseFirst, raisedFirst)
                let overdraftUsed = max(0, Saturating.subtract(used, first))
                let repay = min(value, overdraftUsed)
                let rest = value - repay
                raisedFirst = Saturating.add(raisedFirst, repay)
                switch policy {
                case .firstLimit: raisedFirst = Saturating.add(raisedFirst, rest)
                case .adjustment: raisedAdjustment = Saturating.add(raisedAdjustment, rest)
                }
                repaid = Saturating.add(repaid, repay)
                paid = Saturating.add(paid, value)
            case .use, .adjustment, .payment:
                break
            }
        }
        return QuotaState(
            unit: unit, period: period,
            firstLimit: Saturating.add(baseFirst, raisedFirst),
            adjustment: Saturating.add(baseOverdraft, raisedAdjustment),
            used: used, paid: paid, repaid: repaid
        )
    }

    /// The standing first limit and overdraft in force at `moment` (the latest of each), for
    /// showing a quota's settings.
    public static func standing(unit: QuotaUnit, entries: [LedgerEntry], at moment: Timestamp) -> (firstLimit: Int64, overdraft: Int64) {
        var first: (Timestamp, Int64, Int64)?
        var overdraft: (Timestamp, Int64, Int64)?
        for entry in entries where entry.at <= moment {
            guard let value = value(of: entry, in: unit) else { continue }
            let key = (entry.at, entry.id ?? 0, value)
            switch entry.kind {
            case .limit: if first.map({ ($0.0, $0.1) < (key.0, key.1) }) ?? true { first = key }
            case .overdraft: if overdraft.map({ ($0.0, $0.1) < (key.0, key.1) }) ?? true { overdraft = key }
            default: break
            }
        }
        return (first?.2 ?? 0, overdraft?.2 ?? 0)
    }
}

/// How much use a payment buys (SPEC B4), at the price table's rate: for a money quota the amount
/// itself, in the quota's currency only; for a page quota the whole pages the amount pays for at
/// the price of one reference page (A4 mono by default) in the payment's currency. What is left
/// over buys nothing and stays recorded in the entry's amount. Pure.
public enum PaymentConversion {
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case wrongCurrency(paid: CurrencyCode, quota: CurrencyCode)
        case noPrice(paper: PaperSize, colour: Bool, currency: CurrencyCode)
        case notPositive(Int64)

        /// The input field a refusal is about.
        public var field: String {
            switch self {
            case .wrongCurrency, .noPrice: return "currency"
            case .notPositive: return "amount"
            }
        }

        public var description: String {
            switch self {
            case let .wrongCurrency(paid, quota): return "the quota is in \(quota), the payment in \(paid)"
            case let .noPrice(paper, colour, currency):
                return "no price for one \(paper) \(colour ? "colour" : "mono") page in \(currency) to convert the payment into pages"
            case let .notPositive(amount): return "a payment must be at least 1 minor unit, got \(amount)"
            }
        }
    }

    /// The page whose price converts money into pages for a page quota.
    public static let referencePaper = PaperSize.a4
    public static let referenceColour = false

    /// The use `amount` of `currency` buys for a quota counted in `unit`: (pages, amount) as the
    /// ledger entry records them.
    public static func use(amount: Int64, currency: CurrencyCode, unit: QuotaUnit, prices: [Price]) throws(Refusal) -> (pages: Int64, amount: Int64) {
        guard amount > 0 else { throw .notPositive(amount) }
        switch unit {
        case let .money(quotaCurrency):
            guard quotaCurrency == currency else { throw .wrongCurrency(paid: currency, quota: quotaCurrency) }
            return (0, amount)
        case .pages:
            guard let price = prices.first(where: { $0.currency == currency && $0.paperSize == referencePaper && $0.colour == referenceColour }) else {
                throw .noPrice(paper: referencePaper, colour: referenceColour, currency: currency)
            }
            return (amount / Int64(price.pricePerPage), amount)
        }
    }
}
