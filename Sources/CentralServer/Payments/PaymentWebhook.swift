import Crypto
import Foundation
import Protocol

/// The payment provider's webhook (docs/quotas.md, "The payment-provider webhook"): the checks
/// a delivery passes before its payment is booked. Pure: the secret, the headers, the body and
/// the time are given.
public struct PaymentWebhook: Sendable {
    /// `Imprimatur-Timestamp`: the Unix time in seconds at which the provider signed.
    public static let timestampHeader = "Imprimatur-Timestamp"
    /// `Imprimatur-Signature`: `v1=` then the lower-case hex HMAC-SHA256 of `timestamp.body`.
    public static let signatureHeader = "Imprimatur-Signature"
    public static let signaturePrefix = "v1="

    public let secret: [UInt8]
    /// How far the signed timestamp may be from the server's clock, either way, in ms.
    public let replayWindow: Int64

    public init(secret: [UInt8], replayWindow: Int64 = 5 * 60_000) {
        self.secret = secret
        self.replayWindow = replayWindow
    }

    /// A payment as the provider announces it.
    public struct Payment: Hashable, Sendable {
        public let idempotencyKey: String
        public let user: String
        public let amount: Int64
        public let currency: String
        public let reference: String?
    }

    /// Why a delivery was refused before anything was booked.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case missingHeader(String)
        case badTimestamp(String)
        case badSignature
        case replayed(signedAt: Int64, now: Int64, window: Int64)
        case malformed(field: String, String)

        public var description: String {
            switch self {
            case let .missingHeader(name): return "the \(name) header is missing"
            case let .badTimestamp(text): return "the \(PaymentWebhook.timestampHeader) header is not a Unix time in seconds: \"\(text.prefix(40))\""
            case .badSignature: return "the signature does not match the body and timestamp (HMAC-SHA256 with the webhook secret)"
            case let .replayed(signedAt, now, window):
                return "the delivery was signed at \(signedAt) s, \(abs(now / 1000 - signedAt)) s from the server's time: outside the replay window of \(window / 1000) s"
            case let .malformed(field, text): return "\(field): \(text)"
            }
        }

        /// The HTTP status: 401 when the sender is not proved, 400 for a stale or bad delivery.
        public var status: Int {
            switch self {
            case .missingHeader, .badSignature: return 401
            case .badTimestamp, .replayed, .malformed: return 400
            }
        }
    }

    /// The HMAC-SHA256 over `timestamp || "." || body`, as lower-case hex.
    public static func signature(secret: [UInt8], timestamp: String, body: [UInt8]) -> String {
        var signed = Array(timestamp.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
        return Hex.encode(Array(mac))
    }

    /// Checks the signature and the replay window, then reads the body. In that order, so
    /// nothing of an unproved body is parsed.
    public func check(timestamp: String?, signature: String?, body: [UInt8], now: Timestamp) throws(Refusal) -> Payment {
        guard let timestamp else { throw .missingHeader(Self.timestampHeader) }
        guard let signature else { throw .missingHeader(Self.signatureHeader) }
        guard timestamp.utf8.count <= 12, let seconds = Int64(timestamp), seconds >= 0 else { throw .badTimestamp(timestamp) }
        let expected = Self.signaturePrefix + Self.signature(secret: secret, timestamp: timestamp, body: body)
        // Compared in constant time over the whole string.
        guard Self.constantTimeEqual(Array(expected.utf8), Array(signature.lowercased().utf8)) else { throw .badSignature }
        let signedAt = seconds.multipliedReportingOverflow(by: 1000)
        guard !signedAt.overflow, abs(now.millisecondsSinceEpoch - signedAt.partialValue) <= replayWindow else {
            throw .replayed(signedAt: seconds, now: now.millisecondsSinceEpoch, window: replayWindow)
        }
        return try Self.payment(body)
    }

    static func payment(_ body: [UInt8]) throws(Refusal) -> Payment {
        do throws(InputError) {
            var reader = try JSONObjectReader(body: body)
            let key = try reader.string("idempotency_key")
            guard (1...128).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
                throw InputError(field: "idempotency_key", "must be 1 to 128 printable ASCII characters without spaces")
            }
            let user = try reader.string("user")
            let amount = try reader.integer("amount")
            let currency = try reader.string("currency")
            let reference = try reader.optionalString("reference")
            try reader.finish()
            return Payment(idempotencyKey: key, user: user, amount: amount, currency: currency, reference: reference)
        } catch {
            throw .malformed(field: error.field, error.message)
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
