import Crypto
import Foundation
import Protocol

/// The webhook's body and signature (docs/seal-approval.md, "Webhook"). The body is JSON with
/// sorted keys; the signature header is `sha256=` and the lower-case hex HMAC-SHA256 of the
/// exact body bytes under the shared secret, so a receiver checks it before parsing.
public enum WebhookPayload {
    public static let signatureHeader = "X-Imprimatur-Signature"
    public static let deliveryHeader = "X-Imprimatur-Delivery"
    public static let eventHeader = "X-Imprimatur-Event"

    struct Body: Encodable {
        let kind: String
        let subject: String
        let text: String
        let recipients: [String]
        let details: [String: String]
        let at: String
        let atMilliseconds: Int64

        enum CodingKeys: String, CodingKey {
            case kind, subject, text, recipients, details, at
            case atMilliseconds = "at_ms"
        }
    }

    public static func encode(_ notice: Notice) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(
            kind: notice.kind, subject: notice.subject, text: notice.text, recipients: notice.recipients.map(\.value),
            details: notice.details, at: TimeText.iso8601(notice.at), atMilliseconds: notice.at.millisecondsSinceEpoch
        )
        // Strings and numbers only: encoding cannot fail.
        return Array((try? encoder.encode(body)) ?? Data("{}".utf8))
    }

    /// `sha256=<hex>` of HMAC-SHA256(secret, body).
    public static func signature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.encode(Array(mac))
    }

    /// True when `header` is the signature of `body` (compared in constant time).
    public static func verify(body: [UInt8], secret: String, header: String) -> Bool {
        guard header.hasPrefix("sha256="), let given = Hex.decode(String(header.dropFirst(7))) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Array(secret.utf8)))
    }

    /// Seconds to wait before attempt `attempts + 1` after `attempts` failures: 5 s doubling,
    /// at most an hour. The outbox keeps trying; nothing is dropped.
    public static func backoff(afterFailures attempts: Int) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 20)
        return min(5_000 << Int64(exponent), 3_600_000)
    }
}
