import Foundation
import Crypto
import Protocol

/// The rules of a web session (docs/web.md): how long it lives, how its cookie is written, and
/// how its CSRF token is checked. Pure apart from the random bytes, which come in.
public struct WebSessionPolicy: Hashable, Sendable {
    /// A session unused this long ends (milliseconds).
    public var idleTimeout: Int64
    /// A session ends this long after login whatever its use (milliseconds).
    public var lifetime: Int64
    /// `Secure` on the cookie: set when the server is served over TLS.
    public var secureCookie: Bool

    public static let cookieName = "imprimatur_session"

    public init(idleTimeout: Int64 = 30 * 60_000, lifetime: Int64 = 12 * 3_600_000, secureCookie: Bool = false) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.secureCookie = secureCookie
    }

    /// Whether a session made at `created` and last used at `lastSeen` is still good at `now`.
    public func isLive(created: Timestamp, lastSeen: Timestamp, now: Timestamp) -> Bool {
        let t = now.millisecondsSinceEpoch
        return t - lastSeen.millisecondsSinceEpoch < idleTimeout && t - created.millisecondsSinceEpoch < lifetime && t >= created.millisecondsSinceEpoch
    }

    /// The bounds past which every session is dead at `now` (the complement of `isLive`): one
    /// last used at or before `lastSeenBy` is idle too long, one made at or before `createdBy`
    /// has outlived `lifetime`.
    public func expiry(now: Timestamp) -> (lastSeenBy: Timestamp, createdBy: Timestamp) {
        (now.adding(milliseconds: -idleTimeout), now.adding(milliseconds: -lifetime))
    }

    /// The `Set-Cookie` value for a new session id. HttpOnly (no script reads it), SameSite=Strict
    /// (no other site's page can send it), Path=/, Secure over TLS.
    public func cookie(_ sessionID: String) -> String {
        "\(Self.cookieName)=\(sessionID); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(lifetime / 1000)" + (secureCookie ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the cookie (logout).
    public func clearedCookie() -> String {
        "\(Self.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secureCookie ? "; Secure" : "")
    }

    /// The session id in a `Cookie` header, if there is one of the right shape (64 hex digits).
    public static func sessionID(cookieHeader: String?) -> String? {
        guard let cookieHeader else { return nil }
        for part in cookieHeader.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard pair.hasPrefix(cookieName + "=") else { continue }
            let value = String(pair.dropFirst(cookieName.count + 1))
            guard value.utf8.count == 64, value.utf8.allSatisfy({ Self.isHex($0) }) else { return nil }
            return value
        }
        return nil
    }

    /// 256 random bits as 64 hex digits: a session id or a CSRF token.
    public static func token(_ random: [UInt8]) -> String {
        precondition(random.count == 32, "a session token is 32 random bytes")
        return Hex.encode(random)
    }

    /// What the store keeps instead of the session id: its SHA-256, so a copy of the database
    /// does not hand out live sessions.
    public static func storedHash(_ sessionID: String) -> Hash32 {
        Hash32.sha256(Array(sessionID.utf8))
    }

    /// Whether the form's CSRF token is the session's, compared in constant time.
    public static func csrfMatches(expected: String, given: String?) -> Bool {
        guard let given, given.utf8.count == expected.utf8.count, !expected.isEmpty else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, given.utf8) { difference |= a ^ b }
        return difference == 0
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte)
    }
}
