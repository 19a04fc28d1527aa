import Foundation
import Protocol

/// The webhook secret shared with the payment provider: `<data>/payment-webhook.secret`, mode
/// 0600, 64 hex digits (256 random bits) and a newline. Made by `imprimatur-server payments
/// webhook-secret`; read by `serve` at start. Refused, like the signing keys, when group or
/// others may read it.
public enum PaymentWebhookSecret {
    public static func path(dataDirectory: String) -> String { dataDirectory + "/payment-webhook.secret" }

    /// The secret, or nil when none was made (the webhook then answers 404).
    public static func load(dataDirectory: String) throws -> [UInt8]? {
        let file = path(dataDirectory: dataDirectory)
        guard TLSFileIO.exists(file) else { return nil }
        try TLSFileIO.checkPrivate(file, expected: 0o600)
        let text = try TLSFileIO.read(file).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 64, let bytes = Hex.decode(text) else {
            throw TLSError.malformed(path: file, reason: "must hold 64 hex digits (make a new one with: imprimatur-server payments webhook-secret --rotate)")
        }
        return bytes
    }

    /// The existing secret, or a new one written when there is none (or `rotate`). Returns it
    /// and whether it is new.
    public static func loadOrCreate(dataDirectory: String, rotate: Bool) throws -> (secret: [UInt8], created: Bool) {
        if !rotate, let existing = try load(dataDirectory: dataDirectory) { return (existing, false) }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try TLSFileIO.writeAtomically(Hex.encode(secret) + "\n", to: path(dataDirectory: dataDirectory), mode: 0o600)
        return (secret, true)
    }
}
