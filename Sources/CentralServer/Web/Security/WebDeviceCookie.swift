import Protocol

/// A browser someone has logged in from before (OWASP's "device cookie"), so that an address
/// locked for too many wrong passwords does not lock out everyone behind it (issue 21: one
/// client locked out a whole office behind one NAT address). After a right password the
/// browser gets this cookie, signed by the server's current key; a login that presents a valid
/// one for the account it names is judged by that browser's own failures only, not by its
/// address's nor by the account's (which an attacker elsewhere can run up). Pure: keys and
/// time come in.
public enum WebDeviceCookie {
    public static let name = "imprimatur_device"
    /// Milliseconds a device cookie is honoured after it was issued.
    public static let lifetime: Int64 = 180 * 86_400_000
    static let label = Array("imprimatur-web-device-v1".utf8)

    /// Who the browser logged in as, and the browser's own id (its failures are counted under it).
    public struct Device: Hashable, Sendable {
        public let user: UserID
        public let id: String
    }

    /// The cookie's value for `user`: hex of (user id, 0, issued ms big-endian, 16 random bytes),
    /// a dot, hex of its Ed25519 signature.
    public static func value(user: UserID, issued: Timestamp, nonce: [UInt8], key: SigningKey) -> String {
        let payload = Array(user.value.utf8) + [0] + withUnsafeBytes(of: issued.millisecondsSinceEpoch.bigEndian, Array.init) + nonce
        return Hex.encode(payload) + "." + Hex.encode(key.sign(label + payload).bytes)
    }

    /// The device `value` stands for, if one of `keys` signed it and it is not older than `lifetime`.
    public static func verify(_ value: String, keys: [PublicKey], now: Timestamp) -> Device? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 512, let payload = Hex.decode(String(parts[0])), let signatureBytes = Hex.decode(String(parts[1])),
              let signature = try? Signature(bytes: signatureBytes),
              keys.contains(where: { $0.isValidSignature(signature, for: label + payload) }),
              let zero = payload.firstIndex(of: 0), payload.count == zero + 1 + 8 + 16,
              let user = try? UserID(String(decoding: payload[..<zero], as: UTF8.self))
        else { return nil }
        let issued = payload[(zero + 1)..<(zero + 9)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        guard issued <= now.millisecondsSinceEpoch, now.millisecondsSinceEpoch - issued < lifetime else { return nil }
        return Device(user: user, id: Hex.encode(Array(payload.suffix(16))))
    }

    /// The `Set-Cookie` value: only the login form's path gets it back, and scripts never see it.
    public static func setCookie(_ value: String, secure: Bool) -> String {
        "\(name)=\(value); Path=/web/login; HttpOnly; SameSite=Strict; Max-Age=\(lifetime / 1000)" + (secure ? "; Secure" : "")
    }
}
