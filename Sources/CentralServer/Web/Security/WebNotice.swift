import Crypto
import Foundation
import Protocol

/// The one-line message a page shows after a form ("User ann created.", "Not done: ..."),
/// carried across the redirect in a short-lived cookie instead of the query string: a
/// `?notice=` anyone could put in a link let a crafted URL show a made-up message on a real page
/// of the company's server ("Your account is locked: call 555-..."). The cookie is bound to the
/// session it was made for by an HMAC keyed with that session's CSRF secret, so a cookie set some
/// other way (a sibling subdomain) or copied from another session is ignored. Pure.
public enum WebNotice {
    public static let cookieName = "imprimatur_notice"
    /// Seconds the cookie lives: long enough for the redirect, no longer.
    static let maxAge = 60
    /// Longer notices are cut (a cookie has room for about 4 KB).
    static let maximumBytes = 1_000
    static let label = Array("imprimatur-web-notice-v1".utf8)

    /// The `Set-Cookie` value carrying `notice` for the session whose CSRF token is `csrf`.
    public static func setCookie(_ notice: String, csrf: String, secure: Bool) -> String {
        let text = Array(String(decoding: Array(notice.utf8.prefix(maximumBytes)), as: UTF8.self).utf8)
        return "\(cookieName)=\(Hex.encode(text)).\(Hex.encode(mac(text, csrf: csrf))); Path=/web; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
            + (secure ? "; Secure" : "")
    }

    /// Removes the cookie once its page has been shown.
    public static func clearedCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/web; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }

    /// The notice in `value` (the cookie's value), if it was made for the session with `csrf`.
    public static func read(_ value: String, csrf: String) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2 * maximumBytes, let text = Hex.decode(String(parts[0])),
              let given = Hex.decode(String(parts[1])), given.count == 32
        else { return nil }
        // swift-crypto compares in constant time (as WebhookPayload's signature check does).
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: label + [0] + text, using: key(csrf)) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    private static func mac(_ text: [UInt8], csrf: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: label + [0] + text, using: key(csrf)))
    }

    private static func key(_ csrf: String) -> SymmetricKey { SymmetricKey(data: Array(csrf.utf8)) }
}
