import Foundation
import HummingbirdBcrypt
import Protocol

/// Random secrets the server hands out (enrolment and API tokens) and the hashes it keeps of
/// them and of PINs and passwords.
public enum Secrets {
    /// A fresh 256-bit secret as 64 lower-case hex digits, from the system's CSPRNG.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// How a token is stored: SHA-256 of its text. Tokens carry 256 random bits, so a fast hash
    /// is enough (bcrypt is for the low-entropy PINs and passwords people choose).
    public static func tokenHash(_ token: String) -> Hash32 {
        Hash32.sha256(Array(token.utf8))
    }

    /// bcrypt of `secret` at `cost`, computed off the async executors.
    public static func bcrypt(_ secret: String, cost: UInt8) async -> String {
        await BlockingWork.run { Bcrypt.hash(secret, cost: cost) }
    }

    /// True when `secret` matches the bcrypt `hash`; computed off the async executors.
    public static func bcryptVerify(_ secret: String, hash: String) async -> Bool {
        await BlockingWork.run { Bcrypt.verify(secret, hash: hash) }
    }
}

/// Runs CPU-heavy work (bcrypt) on a Dispatch thread, not on a Swift concurrency executor
/// thread, so other requests keep being served meanwhile.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "imprimatur-server.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
