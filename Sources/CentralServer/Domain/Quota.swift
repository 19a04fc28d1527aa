import Protocol

/// A user's quota as an administrator set it (SPEC B1, B2): the first upper limit per period and
/// the adjustment (overdraft) usable beyond it, in pages or in minor units of a currency.
public struct Quota: Hashable, Sendable {
    public let userID: UserID
    public let period: QuotaPeriodKind
    public let unit: QuotaUnit
    /// The first upper limit per period.
    public let firstLimit: Int64
    /// How far beyond the first limit the user may go.
    public let adjustment: Int64

    public init(userID: UserID, period: QuotaPeriodKind, unit: QuotaUnit, firstLimit: Int64, adjustment: Int64) {
        self.userID = userID
        self.period = period
        self.unit = unit
        self.firstLimit = firstLimit
        self.adjustment = adjustment
    }
}

extension QuotaUnit {
    /// How the unit is written in the store and the audit log: `pages`, or the currency code.
    public var storedName: String {
        switch self {
        case .pages: return "pages"
        case let .money(currency): return currency.code
        }
    }
}

/// What the ledger holds for one user in one period, in the quota's unit: pages, or minor units
/// of the quota's currency (entries in other currencies do not count).
public struct LedgerTotals: Hashable, Sendable {
    /// Sum of `use` entries.
    public var used: Int64
    /// Sum of `payment` entries: each raises the first limit (SPEC B4).
    public var payments: Int64
    /// Sum of `adjustment` entries: each raises (or, negative, lowers) the adjustment.
    public var adjustments: Int64

    public init(used: Int64 = 0, payments: Int64 = 0, adjustments: Int64 = 0) {
        self.used = used
        self.payments = payments
        self.adjustments = adjustments
    }

    public static let zero = LedgerTotals()
}

/// A user's quota in one period, derived from the quota and the ledger; nothing here is stored.
///
///     first limit   = quota's first limit + payments in the period
///     adjustment    = quota's adjustment  + adjustment entries in the period
///     second limit  = first limit + adjustment
///     remaining     = second limit − used in the period
///
/// All sums saturate, so no ledger content can overflow into a huge remaining amount.
public struct QuotaState: Hashable, Sendable {
    public let unit: QuotaUnit
    public let period: QuotaPeriod
    public let firstLimit: Int64
    public let adjustment: Int64
    public let used: Int64
    /// What payments in the period bought, in the quota's unit.
    public let paid: Int64
    /// The part of `paid` that repaid overdraft already used.
    public let repaid: Int64

    public init(unit: QuotaUnit, period: QuotaPeriod, firstLimit: Int64, adjustment: Int64, used: Int64, paid: Int64 = 0, repaid: Int64 = 0) {
        self.unit = unit
        self.period = period
        self.firstLimit = firstLimit
        self.adjustment = adjustment
        self.used = used
        self.paid = paid
        self.repaid = repaid
    }

    /// The state of `quota` in the period containing `moment`, given the ledger totals for that period.
    public init(quota: Quota, totals: LedgerTotals, at moment: Timestamp) {
        self.init(
            unit: quota.unit,
            period: quota.period.period(containing: moment),
            firstLimit: Saturating.add(quota.firstLimit, totals.payments),
            adjustment: Saturating.add(quota.adjustment, totals.adjustments),
            used: totals.used
        )
    }

    /// The second upper limit (SPEC B3).
    public var secondLimit: Int64 { Saturating.add(firstLimit, adjustment) }

    /// What is left of the second limit; zero or negative when it is reached.
    public var remaining: Int64 { Saturating.subtract(secondLimit, used) }

    /// True once the first limit is used up and the user is drawing on the adjustment.
    public var isInAdjustment: Bool { used >= firstLimit }

    /// How much of the adjustment is used: what a payment repays first.
    public var overdraftUsed: Int64 { max(0, Saturating.subtract(used, firstLimit)) }
}

enum Saturating {
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? .max : .min) : difference
    }
}
