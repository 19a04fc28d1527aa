import Foundation
import Protocol
import TestSupport
import Testing
@testable import CentralServer

@Suite("Signing keys")
struct KeyTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func firstStartCreatesOnePrivateKey() throws {
        let directory = try TemporaryDirectory()
        let keys = KeyDirectory(dataDirectory: directory.path)
        let set = try keys.loadOrCreate(now: Fixture.now)
        #expect(set.keys.count == 1)
        #expect(try Self.mode(keys.path) == 0o700)
        let file = keys.path + "/\(set.current.keyID).key"
        #expect(try Self.mode(file) == 0o600)
        // Loading again gives the same key.
        #expect(try keys.load().current.keyID == set.current.keyID)
    }

    @Test func refusesAKeyFileOthersCanRead() throws {
        let directory = try TemporaryDirectory()
        let keys = KeyDirectory(dataDirectory: directory.path)
        let set = try keys.loadOrCreate(now: Fixture.now)
        let file = keys.path + "/\(set.current.keyID).key"
        chmod(file, 0o644)
        #expect(throws: KeyStoreError.insecurePermissions(path: file, mode: 0o644, expected: 0o600)) { try keys.load() }
        let error = try #require(throws: KeyStoreError.self) { try ServerServices.open(dataDirectory: directory.path) }
        #expect(error.description.contains("chmod 600"))
        chmod(file, 0o640)
        #expect(throws: KeyStoreError.self) { try keys.load() }
        chmod(file, 0o600)
        chmod(keys.path, 0o755)
        #expect(throws: KeyStoreError.insecurePermissions(path: keys.path, mode: 0o755, expected: 0o700)) { try keys.load() }
    }

    @Test func refusesAMalformedKeyFile() throws {
        let directory = try TemporaryDirectory()
        let keys = KeyDirectory(dataDirectory: directory.path)
        _ = try keys.loadOrCreate(now: Fixture.now)
        let bad = keys.path + "/0000000000000000.key"
        _ = FileManager.default.createFile(atPath: bad, contents: Data("imprimatur-server-key 1\nseed 00\ncreated 1\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: KeyStoreError.malformedKeyFile(path: bad, reason: "seed must be 64 hex digits")) { try keys.load() }
    }

    @Test func aGrantSignedBeforeRotationStillVerifiesAndNewGrantsUseTheNewKey() async throws {
        let server = try TestServer()
        try await server.enroll()
        try await server.addUser("alice")
        let grants = server.services.grants
        let copier = Fixture.resourceID("copier-1")
        func ask() async throws -> SignedGrant {
            let outcome = await grants.requestGrant(
                device: Fixture.deviceID("agent-1"), credential: .card(Fixture.card("card-alice"), pin: Fixture.pin("1234")),
                resource: copier, resourceType: .copier, now: server.clock.now()
            )
            return try #require(outcome.tokens, "\(outcome)").accessGrant
        }
        let before = try await ask()
        let oldKey = before.claims.keyID

        server.clock.advance(milliseconds: 1000)
        let rotatedAt = server.clock.now()
        try KeyDirectory(dataDirectory: server.directory.path).rotate(now: rotatedAt)
        // The running server's key ring notices the rotation by itself.
        server.clock.advance(milliseconds: 1000)
        let after = try await ask()
        #expect(after.claims.keyID != oldKey)
        #expect(try after.claims.keyID == server.services.keyRing.keys().current.keyID)

        // The key set agents are told now verifies both grants; the old key is retired at the rotation.
        let published = try grants.publishedKeys(now: server.clock.now())
        #expect(published.count == 2)
        #expect(published.first { $0.keyID == oldKey }?.validUntil == rotatedAt)
        #expect(published.first { $0.keyID == after.claims.keyID }?.validUntil == nil)
        let verifier = GrantVerifier(trustedKeys: TrustedKeys(published.map(\.trustedKey)), deviceID: Fixture.deviceID("agent-1"))
        for grant in [before, after] {
            let verdict = verifier.verify(grant, at: server.clock.now(), usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
            #expect(verdict.acceptedClaims != nil, "\(verdict)")
        }
        // A grant the old key would sign after the rotation is refused (a leaked old key cannot mint new grants).
        let oldSigning = try #require(server.services.keyRing.keys()[oldKey])
        let forged = SignedGrant.sign(try GrantClaims(
            grantID: GrantID(high: 9, low: 9), keyID: oldKey, deviceID: Fixture.deviceID("agent-1"), subject: Fixture.userID("alice"),
            resourceID: copier, resourceType: .copier, allowance: .copier(pages: 1, copies: 1, colourAllowed: false),
            issuedAt: server.clock.now(), notBefore: server.clock.now(), expires: server.clock.now().adding(milliseconds: 60_000)
        ), with: oldSigning.signingKey)
        let refusal = verifier.verify(forged, at: server.clock.now(), usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
        #expect(refusal == .refused(.keyExpired(oldKey, validUntil: rotatedAt, issuedAt: server.clock.now())))

        // Once every grant the old key signed has expired, it is no longer published.
        let later = rotatedAt.adding(milliseconds: GrantPolicy().maximumGrantLifetime)
        #expect(try grants.publishedKeys(now: later).map(\.keyID) == [after.claims.keyID])
        // And the uplink's serverKeys message carries the published keys.
        #expect(try grants.uplinkServerKeys(now: server.clock.now()).keys.count == 2)
    }

    @Test func keyFilesRoundTrip() throws {
        let key = ServerSigningKey(signingKey: try SigningKey(seed: Array(1...32)), created: Fixture.now, retired: Fixture.now.adding(milliseconds: 5))
        let text = KeyDirectory.render(key)
        let parsed = try KeyDirectory(path: "/x").parse(file: "f", text: text)
        #expect(parsed.keyID == key.keyID)
        #expect(parsed.created == key.created)
        #expect(parsed.retired == key.retired)
    }
}
