import Crypto
import Foundation
import Protocol
import _CryptoExtras

/// How the agent remembers credentials for offline use without keeping them: a card number is
/// kept only as SHA-256 under a per-device salt, and a PIN only as a PBKDF2-SHA256 verifier
/// (210,000 rounds, per-card salt). A PIN has few digits, so a stolen box can still be brute
/// forced at leisure: the cache holds only users who tapped on this box, and an operator can
/// clear it (docs/agent.md).
public struct CredentialHasher: Sendable {
    public let deviceSalt: [UInt8]
    public static let pinRounds = 210_000

    public init(deviceSalt: [UInt8]) { self.deviceSalt = deviceSalt }

    public func cardHash(_ credential: Credential) -> Hash32 {
        var bytes = Array("imprimatur-card-v1".utf8) + deviceSalt
        switch credential {
        case let .card(number, _): bytes += [0x01] + Array(number.value.utf8)
        case let .user(id, _): bytes += [0x02] + Array(id.value.utf8)
        }
        return Hash32.sha256(bytes)
    }

    public func pinVerifier(pin: String, for cardHash: Hash32) -> [UInt8] {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: Array(pin.utf8), salt: Array("imprimatur-pin-v1".utf8) + cardHash.bytes,
            using: .sha256, outputByteCount: 32, rounds: Self.pinRounds
        )
        // PBKDF2 with valid parameters does not fail; an empty verifier would never match.
        return key.map { $0.withUnsafeBytes { Array($0) } } ?? []
    }

    /// Constant-time comparison of a PIN against a stored verifier.
    public func pinMatches(_ pin: String, verifier: [UInt8], cardHash: Hash32) -> Bool {
        let candidate = pinVerifier(pin: pin, for: cardHash)
        guard candidate.count == verifier.count, !verifier.isEmpty else { return false }
        return zip(candidate, verifier).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    public static func pin(of credential: Credential) -> String? { credential.pin }
}
