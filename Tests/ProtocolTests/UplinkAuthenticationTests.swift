import TestSupport
import Testing
@testable import Protocol

@Suite("Uplink device authentication")
struct UplinkAuthenticationTests {
    private let key = UplinkSamples.deviceKey
    private let nonce = UplinkSamples.nonce
    private let device = UplinkSamples.deviceID
    private let server = UplinkSamples.serverID

    private func verify(
        _ proof: UplinkMessage.AuthProof, nonce: UplinkMessage.AuthNonce? = nil, device: DeviceID? = nil,
        server: ServerID? = nil, publicKey: PublicKey? = nil
    ) -> Bool {
        DeviceAuthentication.verify(
            proof, nonce: nonce ?? self.nonce, deviceID: device ?? self.device,
            serverID: server ?? self.server, publicKey: publicKey ?? key.publicKey
        )
    }

    private var proof: UplinkMessage.AuthProof {
        DeviceAuthentication.proof(nonce: nonce, deviceID: device, serverID: server, key: key)
    }

    @Test func validProofVerifies() {
        #expect(verify(proof))
    }

    @Test func proofByAnotherKeyIsRefused() {
        let forged = DeviceAuthentication.proof(nonce: nonce, deviceID: device, serverID: server, key: UplinkSamples.serverKey)
        #expect(!verify(forged))
    }

    @Test func tamperedSignatureIsRefused() throws {
        var bytes = proof.signature.bytes
        bytes[10] ^= 0x01
        #expect(!verify(UplinkMessage.AuthProof(signature: try Signature(bytes: bytes))))
    }

    @Test func proofForAnotherNonceIsRefused() throws {
        let other = try UplinkMessage.AuthNonce(bytes: [UInt8](repeating: 0xee, count: 32))
        #expect(!verify(proof, nonce: other))
    }

    @Test func proofForAnotherDeviceIsRefused() throws {
        #expect(!verify(proof, device: try DeviceID("copier-2")))
    }

    @Test func proofForAnotherServerIsRefused() throws {
        #expect(!verify(proof, server: try ServerID("imprimatur.attacker.example")))
    }

    @Test func signedBytesAreLabelNonceDeviceServer() {
        let bytes = DeviceAuthentication.signedBytes(nonce: nonce, deviceID: device, serverID: server)
        let expected = Array("imprimatur-uplink-auth-v1".utf8) + nonce.bytes
            + [8] + Array("copier-1".utf8) + [22] + Array("imprimatur.example.com".utf8)
        #expect(bytes == expected)
    }

    @Test func proofIsDeterministicKnownAnswer() {
        // Ed25519 is deterministic: this is the proof in docs/protocol-uplink.md.
        #expect(Hex.encode(proof.signature.bytes) == UplinkKnownAnswers.authProofSignatureHex)
        #expect(Hex.encode(key.publicKey.bytes) == UplinkKnownAnswers.devicePublicKeyHex)
    }

    @Test func nonceComesFromTheInjectedGenerator() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        var third = SplitMix64(seed: 8)
        let a = UplinkMessage.AuthNonce(using: &first)
        #expect(a == UplinkMessage.AuthNonce(using: &second))
        #expect(a != UplinkMessage.AuthNonce(using: &third))
        #expect(a.bytes.count == 32)
    }
}
