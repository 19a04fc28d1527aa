import Foundation
import Testing
@testable import Protocol

/// The worked example in docs/grants.md (and Vectors/grant-worked-example.json): fixed key,
/// fixed claims, exact bytes. Ed25519 is deterministic, so the token never changes.
@Suite("Grant worked example")
struct GrantWorkedExampleTests {
    typealias F = GrantFixtures

    struct Example: Decodable {
        struct Claims: Decodable {
            let formatVersion: UInt8
            let grantID: String
            let deviceID: String
            let subject: String
            let resourceID: String
            let resourceType: String
            let pages: UInt32
            let copies: UInt32
            let colourAllowed: Bool
            let sealUses: UInt32
            let applicationID: String?
            let issuedAt: Int64
            let notBefore: Int64
            let expires: Int64
        }

        let seed: String
        let publicKey: String
        let keyID: String
        let claims: Claims
        let signatureLabel: String
        let claimsHex: String
        let signatureHex: String
        let tokenHex: String
        let limitGrantTokenHex: String
        let revocationListTokenHex: String
    }

    func example() throws -> Example {
        let url = try #require(Bundle.module.url(forResource: "grant-worked-example", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(Example.self, from: Data(contentsOf: url))
    }

    /// The claims built from the JSON fields alone, as a peer in another language would.
    func claims(from example: Example, key: SigningKey) throws -> GrantClaims {
        let fields = example.claims
        #expect(fields.formatVersion == 1)
        return try GrantClaims(
            grantID: GrantID(bytes: try #require(Hex.decode(fields.grantID))),
            keyID: key.keyID,
            deviceID: DeviceID(fields.deviceID),
            subject: UserID(fields.subject),
            resourceID: ResourceID(fields.resourceID),
            resourceType: fields.resourceType == "seal" ? .seal : .copier,
            allowance: Allowance(pages: fields.pages, copies: fields.copies, colourAllowed: fields.colourAllowed, sealUses: fields.sealUses),
            applicationID: try fields.applicationID.map { id throws(WireError) in try ApplicationID(id) },
            issuedAt: Timestamp(millisecondsSinceEpoch: fields.issuedAt),
            notBefore: Timestamp(millisecondsSinceEpoch: fields.notBefore),
            expires: Timestamp(millisecondsSinceEpoch: fields.expires)
        )
    }

    @Test func theExampleIsTheFixture() throws {
        let example = try example()
        #expect(Hex.decode(example.seed) == F.serverSeed)
        #expect(try claims(from: example, key: F.serverKey) == F.copierClaims())
    }

    @Test func signingTheExampleGivesTheDocumentedBytes() throws {
        let example = try example()
        let key = try SigningKey(seed: try #require(Hex.decode(example.seed)))
        #expect(Hex.encode(key.publicKey.bytes) == example.publicKey)
        #expect(key.keyID.description == example.keyID)
        #expect(example.signatureLabel == GrantClaims.signatureLabel)

        let signed = SignedGrant.sign(try claims(from: example, key: key), with: key)
        #expect(Hex.encode(signed.contentBytes) == example.claimsHex)
        #expect(Hex.encode(signed.signature.bytes) == example.signatureHex)
        #expect(Hex.encode(signed.wireBytes()) == example.tokenHex)
    }

    @Test func theDocumentedTokenVerifies() throws {
        let example = try example()
        let token = try #require(Hex.decode(example.tokenHex))
        let verdict = F.verifier.verify(
            grantToken: token, at: Timestamp(millisecondsSinceEpoch: 1_700_000_030_000), resource: F.copier, user: F.user,
            usedGrantIDs: Set<GrantID>(), revocations: RevocationState(), usage: GrantUsage(pages: 0, copies: 0)
        )
        #expect(verdict == .accepted(try F.copierClaims()))
    }

    /// The limit grant and revocation list examples of docs/grants.md: `F.limitGrant()` (1000 euro
    /// cents available, prices A4 mono 5, A4 colour 30, A3 mono 10) and a version-2 list
    /// revoking the access grant above.
    @Test func theLimitGrantAndRevocationListExamplesHaveTheDocumentedBytes() throws {
        let example = try example()
        let limit = SignedLimitGrant.sign(try F.limitGrant(), with: F.serverKey)
        #expect(Hex.encode(limit.wireBytes()) == example.limitGrantTokenHex)
        let list = SignedRevocationList.sign(try F.revocationList(version: 2, revoking: [F.grantID]), with: F.serverKey)
        #expect(Hex.encode(list.wireBytes()) == example.revocationListTokenHex)

        var revocations = RevocationState()
        try revocations.apply(token: try #require(Hex.decode(example.revocationListTokenHex)), trustedKeys: F.trusted)
        #expect(revocations.isRevoked(F.grantID))
        let verdict = F.verifier.verify(limitGrantToken: try #require(Hex.decode(example.limitGrantTokenHex)),
                                        at: F.t0, user: F.user, revocations: revocations)
        #expect(verdict.acceptedClaims?.pageBudget(usedSinceIssue: 600, paperSize: .a4, colour: true) == 13)
    }

    /// The seed files under Fuzz/corpus/grant/ decode (or fail) as their names say.
    @Test func theFuzzCorpusSeedsAreWhatTheirNamesSay() throws {
        let corpus = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/grant")
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        #expect(names.count >= 10)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: corpus.appendingPathComponent(name)))
            let decodes: Bool
            switch name.split(separator: "-").first {
            case "access": decodes = (try? SignedGrant(wireBytes: bytes)) != nil
            case "limit": decodes = (try? SignedLimitGrant(wireBytes: bytes)) != nil
            case "revocations": decodes = (try? SignedRevocationList(wireBytes: bytes)) != nil
            default:
                decodes = (try? SignedGrant(wireBytes: bytes)) != nil
                    || (try? SignedLimitGrant(wireBytes: bytes)) != nil
                    || (try? SignedRevocationList(wireBytes: bytes)) != nil
            }
            #expect(decodes == !name.hasPrefix("broken-"), "\(name)")
        }
    }
}
