import Protocol

/// libFuzzer entry point for the token decoders an agent meets before it trusts anything: access
/// grants, limit grants and revocation lists. Each input is tried as all three. Properties: no
/// crash or sanitizer report; whatever decodes re-encodes to exactly the input (canonical), and
/// the verifier refuses it without trapping (the fuzzer cannot forge the signature).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGrant(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    if let grant = try? SignedGrant(wireBytes: bytes) {
        guard grant.wireBytes() == bytes else { fatalError("access grant is not canonical") }
        let verifier = GrantVerifier(trustedKeys: FuzzKeys.trusted, deviceID: grant.claims.deviceID)
        if case .accepted = verifier.verify(grantToken: bytes, at: now, resource: nil, user: nil, usedGrantIDs: Set<GrantID>(), revocations: RevocationState(), usage: GrantUsage()) {
            fatalError("a grant not signed by the trusted key was accepted")
        }
    }
    if let limit = try? SignedLimitGrant(wireBytes: bytes) {
        guard limit.wireBytes() == bytes else { fatalError("limit grant is not canonical") }
        for colour in [false, true] {
            for paper in PaperSize.allCases {
                _ = limit.limitGrant.pageBudget(usedSinceIssue: UInt64(size), paperSize: paper, colour: colour)
            }
        }
    }
    if let list = try? SignedRevocationList(wireBytes: bytes) {
        guard list.wireBytes() == bytes else { fatalError("revocation list is not canonical") }
        var state = RevocationState()
        do {
            try state.apply(list, trustedKeys: FuzzKeys.trusted)
            fatalError("a revocation list not signed by the trusted key was applied")
        } catch {}
    }
    return 0
}

enum FuzzKeys {
    /// A fixed key the fuzzer's inputs were not signed with.
    static let trusted: TrustedKeys = {
        let key = try! SigningKey(seed: [UInt8](repeating: 7, count: 32))
        return TrustedKeys([TrustedKey(key.publicKey)])
    }()
}
