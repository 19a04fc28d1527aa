/// A user's second upper limit (SPEC B3) as signed for one device, so that the agent can let the
/// user print offline and stop them at the limit. Layout: docs/grants.md, "Limit grant".
///
/// It carries what was still available when the server issued it; the agent subtracts what it
/// has counted since (`pageBudget`). It expires, and the agent holding only an expired limit
/// grant stays locked: silence never means unlimited.
public struct LimitGrant: Hashable, Sendable {
    public static let signatureLabel = "imprimatur-limit-v1"
    public static let maximumByteCount = 512

    public let grantID: GrantID
    public let keyID: KeyID
    public let deviceID: DeviceID
    public let userID: UserID
    /// The quota period the limit belongs to, `[periodStart, periodEnd)`.
    public let periodStart: Timestamp
    public let periodEnd: Timestamp
    public let unit: QuotaUnit
    /// The second upper limit minus what was used up to `issuedAt`, in `unit`. Negative when
    /// the user is already over it.
    public let available: Int64
    /// Prices per page for a money quota; empty for a page quota.
    public let prices: PriceTable
    public let issuedAt: Timestamp
    /// Not after `periodEnd`: the next period needs its own limit.
    public let expires: Timestamp

    public init(
        grantID: GrantID,
        keyID: KeyID,
        deviceID: DeviceID,
        userID: UserID,
        periodStart: Timestamp,
        periodEnd: Timestamp,
        unit: QuotaUnit,
        available: Int64,
        prices: PriceTable = .empty,
        issuedAt: Timestamp,
        expires: Timestamp
    ) throws(WireError) {
        self.grantID = grantID
        self.keyID = keyID
        self.deviceID = deviceID
        self.userID = userID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.unit = unit
        self.available = available
        self.prices = prices
        self.issuedAt = issuedAt
        self.expires = expires
        try validate()
    }

    private func validate() throws(WireError) {
        try periodStart.requireEncodable(as: "period start")
        try periodEnd.requireEncodable(as: "period end")
        try issuedAt.requireEncodable(as: "issued at")
        try expires.requireEncodable(as: "expires")
        guard periodEnd > periodStart else {
            throw .invalidValue(field: "period end", reason: "must be after period start (\(periodStart)), got \(periodEnd)")
        }
        guard expires > issuedAt else {
            throw .invalidValue(field: "expires", reason: "must be after issued at (\(issuedAt)), got \(expires)")
        }
        guard expires > periodStart else {
            throw .invalidValue(field: "expires", reason: "must be after period start (\(periodStart)), got \(expires)")
        }
        guard expires <= periodEnd else {
            throw .invalidValue(field: "expires", reason: "must not be after period end (\(periodEnd)), got \(expires)")
        }
        switch unit {
        case .pages:
            guard prices.isEmpty else { throw .invalidValue(field: "price table", reason: "a page quota has no prices") }
        case .money:
            guard !prices.isEmpty else { throw .invalidValue(field: "price table", reason: "a money quota needs at least one price") }
        }
    }

    /// Pages of `paperSize` in colour or mono that the user may still print, given `usedSinceIssue`
    /// (in `unit`: pages, or minor currency units) counted by the agent since `issuedAt`.
    ///
    /// Rounds down, so printing the returned number of pages can never take the user past the
    /// limit. Zero when nothing is left, when the money quota has no price for that paper and
    /// colour, and never more than `UInt32.max`.
    public func pageBudget(usedSinceIssue: UInt64, paperSize: PaperSize, colour: Bool) -> UInt32 {
        guard available > 0, usedSinceIssue < UInt64(available) else { return 0 }
        let remaining = UInt64(available) - usedSinceIssue
        let pages: UInt64
        switch unit {
        case .pages:
            pages = remaining
        case .money:
            guard let price = prices.price(paperSize: paperSize, colour: colour) else { return 0 }
            pages = remaining / UInt64(price)
        }
        return UInt32(clamping: pages)
    }
}

extension LimitGrant: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u8(GrantWire.formatVersion)
        writer.encode(grantID)
        writer.encode(keyID)
        writer.encode(deviceID)
        writer.encode(userID)
        writer.encode(periodStart)
        writer.encode(periodEnd)
        writer.encode(unit)
        writer.i64(available)
        writer.encode(prices)
        writer.encode(issuedAt)
        writer.encode(expires)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try GrantWire.formatVersion("limit grant format version", from: &reader)
        try self.init(
            grantID: try reader.decode(),
            keyID: try reader.decode(),
            deviceID: try reader.decode(),
            userID: try reader.decode(),
            periodStart: try Timestamp(from: &reader, field: "period start"),
            periodEnd: try Timestamp(from: &reader, field: "period end"),
            unit: try reader.decode(),
            available: try reader.i64("available"),
            prices: try reader.decode(),
            issuedAt: try Timestamp(from: &reader, field: "issued at"),
            expires: try Timestamp(from: &reader, field: "expires")
        )
    }
}

extension LimitGrant: SignedTokenContent {
    public static var tokenField: String { "limit grant" }
    public static var lengthPrefix: LengthPrefix { .u16 }
    public static var maximumContentLength: Int { maximumByteCount }
}

/// A limit grant as the agent receives it.
public typealias SignedLimitGrant = SignedToken<LimitGrant>

extension SignedToken where Content == LimitGrant {
    public var limitGrant: LimitGrant { content }
}
