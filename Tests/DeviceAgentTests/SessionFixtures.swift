import Protocol
@testable import DeviceAgent

/// Grants signed by a test key, verified the way the agent verifies them.
enum SessionFixtures {
    static let serverKey = try! SigningKey(seed: Array(repeating: 3, count: 32))
    static let device = try! DeviceID("copier-1")
    static let copier = try! ResourceID("copier-1")
    static let alice = try! UserID("alice")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let verifier = GrantVerifier(trustedKeys: TrustedKeys([TrustedKey(serverKey.publicKey)]), deviceID: device)

    static func grantToken(pages: UInt32 = 10, lifetimeSeconds: Int64 = 300, id: UInt64 = 1, resource: ResourceID = copier) -> [UInt8] {
        let claims = try! GrantClaims(
            grantID: GrantID(high: 0, low: id), keyID: serverKey.keyID, deviceID: device, subject: alice,
            resourceID: resource, resourceType: .copier, allowance: .copier(pages: pages, copies: 99, colourAllowed: true),
            issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: lifetimeSeconds)
        )
        return SignedGrant.sign(claims, with: serverKey).wireBytes()
    }

    static func online(pages: UInt32 = 10, lifetimeSeconds: Int64 = 300, id: UInt64 = 1) -> SessionAuthorization {
        try! SessionAuthorization.online(
            grantToken: grantToken(pages: pages, lifetimeSeconds: lifetimeSeconds, id: id), verifier: verifier, copier: copier,
            at: t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState()
        ).get()
    }

    static func limitToken(unit: QuotaUnit = .pages, available: Int64 = 20, prices: PriceTable = .empty, user: UserID = alice) -> [UInt8] {
        let limit = try! LimitGrant(
            grantID: GrantID(high: 9, low: 9), keyID: serverKey.keyID, deviceID: device, userID: user,
            periodStart: t0.adding(seconds: -86_400), periodEnd: t0.adding(seconds: 30 * 86_400), unit: unit,
            available: available, prices: prices, issuedAt: t0, expires: t0.adding(seconds: 86_400)
        )
        return SignedLimitGrant.sign(limit, with: serverKey).wireBytes()
    }

    static func status(_ state: CopierState, fault: CopierFault = .none, latest: UInt32 = 0) -> CopierStatusBlock {
        var registers = [UInt16](repeating: 0, count: 24)
        registers[8] = state.rawValue
        registers[9] = fault.rawValue
        registers[11] = UInt16(latest)
        registers[23] = CopierModel.simulatedColour.rawValue
        return try! CopierStatusBlock(registers: registers)
    }

    static func job(sequence: UInt32 = 1, tag: UInt32 = 7, pages: UInt32 = 4, end: CopierJobEnd = .completed) -> CopierJobRecord {
        try! CopierJobRecord(sequence: sequence, sessionTag: tag, colourPages: 0, monoPages: pages, copies: 1, duplex: false, paperSize: .a4, end: end)
    }
}
