@testable import Protocol

/// Fixed keys, ids and times shared by the grant tests, so every byte they produce is reproducible.
enum GrantFixtures {
    /// The server key of the worked example in docs/grants.md: seed bytes 0x01...0x20.
    static let serverSeed: [UInt8] = Array(1...32)
    static let serverKey = try! SigningKey(seed: serverSeed)
    /// A key the agent does not trust (or trusts only until a rotation).
    static let otherKey = try! SigningKey(seed: [UInt8](repeating: 0x42, count: 32))

    static let device = try! DeviceID("agent-3f")
    static let otherDevice = try! DeviceID("agent-4f")
    static let user = try! UserID("alice")
    static let otherUser = try! UserID("bob")
    static let copier = try! ResourceID("copier-3f-1")
    static let otherCopier = try! ResourceID("copier-3f-2")
    static let seal = try! ResourceID("seal-hq")
    static let application = try! ApplicationID("app-2024-0042")

    static let grantID = GrantID(high: 0x0011_2233_4455_6677, low: 0x8899_aabb_ccdd_eeff)
    /// 2023-11-14T22:13:20Z.
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let tenMinutes: Int64 = 600_000

    static let trusted = TrustedKeys([TrustedKey(serverKey.publicKey)])
    static let verifier = GrantVerifier(trustedKeys: trusted, deviceID: device)

    /// A copier grant for alice on agent-3f: 50 pages, 10 copies, colour, valid for ten minutes from t0.
    static func copierClaims(
        grantID: GrantID = grantID,
        key: SigningKey = serverKey,
        device: DeviceID = device,
        subject: UserID = user,
        resource: ResourceID = copier,
        allowance: Allowance = .copier(pages: 50, copies: 10, colourAllowed: true),
        issuedAt: Timestamp = t0,
        notBefore: Timestamp = t0,
        expires: Timestamp = t0.adding(milliseconds: tenMinutes)
    ) throws -> GrantClaims {
        try GrantClaims(
            grantID: grantID, keyID: key.keyID, deviceID: device, subject: subject,
            resourceID: resource, resourceType: .copier, allowance: allowance,
            issuedAt: issuedAt, notBefore: notBefore, expires: expires
        )
    }

    /// A seal grant for alice: 3 uses of seal-hq for application app-2024-0042.
    static func sealClaims(grantID: GrantID = GrantID(high: 1, low: 2)) throws -> GrantClaims {
        try GrantClaims(
            grantID: grantID, keyID: serverKey.keyID, deviceID: device, subject: user,
            resourceID: seal, resourceType: .seal, allowance: .seal(uses: 3), applicationID: application,
            issuedAt: t0, notBefore: t0, expires: t0.adding(milliseconds: tenMinutes)
        )
    }

    static func token(_ claims: GrantClaims, signedBy key: SigningKey = serverKey) -> [UInt8] {
        SignedGrant.sign(claims, with: key).wireBytes()
    }

    /// Prices in euro cents: A4 mono 5, A4 colour 30, A3 mono 10 (no A3 colour).
    static func euroPrices() throws -> PriceTable {
        try PriceTable([
            PagePrice(paperSize: .a4, colour: true, pricePerPage: 30),
            PagePrice(paperSize: .a4, colour: false, pricePerPage: 5),
            PagePrice(paperSize: .a3, colour: false, pricePerPage: 10),
        ])
    }

    /// A limit grant for alice on agent-3f in a November 2023 period, expiring a day after t0.
    static func limitGrant(
        device: DeviceID = device,
        user: UserID = user,
        unit: QuotaUnit? = nil,
        available: Int64 = 1000,
        prices: PriceTable? = nil,
        key: SigningKey = serverKey
    ) throws -> LimitGrant {
        let unit = try unit ?? .money(CurrencyCode("EUR"))
        let prices = try prices ?? (unit == .pages ? .empty : euroPrices())
        return try LimitGrant(
            grantID: GrantID(high: 0xfeed, low: 0xbeef), keyID: key.keyID, deviceID: device, userID: user,
            periodStart: Timestamp(millisecondsSinceEpoch: 1_698_796_800_000), // 2023-11-01T00:00:00Z
            periodEnd: Timestamp(millisecondsSinceEpoch: 1_701_388_800_000), // 2023-12-01T00:00:00Z
            unit: unit, available: available, prices: prices,
            issuedAt: t0, expires: t0.adding(milliseconds: 86_400_000)
        )
    }

    static func revocationList(version: UInt64, revoking ids: [GrantID], key: SigningKey = serverKey) throws -> RevocationList {
        try RevocationList(
            version: version, issuedAt: t0, keyID: key.keyID,
            entries: ids.map { id throws(WireError) in try RevocationEntry(grantID: id, relevantUntil: t0.adding(milliseconds: tenMinutes)) }
        )
    }
}
