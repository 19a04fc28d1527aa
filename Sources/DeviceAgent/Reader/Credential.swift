import Protocol

/// What a person presents at the device: the uplink's credential type, so what the reader read
/// is exactly what the server is asked about (docs/protocol-uplink.md, grant request).
public typealias Credential = UplinkMessage.Credential

extension UplinkMessage.Credential {
    /// A card as the reader delivered it, with a PIN if one was typed. The error names the field.
    public static func card(_ number: String, pin: String? = nil) throws(WireError) -> Credential {
        .card(try UplinkMessage.CardNumber(number), pin: try pin.map { pin throws(WireError) in try UplinkMessage.PIN(pin) })
    }

    /// A user id typed at the device, with the PIN.
    public static func user(_ id: String, pin: String) throws(WireError) -> Credential {
        .user(try UserID(id), pin: try UplinkMessage.PIN(pin))
    }

    /// The PIN typed with it, if any.
    public var pin: String? {
        switch self {
        case let .card(_, pin): return pin?.value
        case let .user(_, pin): return pin.value
        }
    }

    /// For logs and messages: never the PIN.
    public var redacted: String {
        switch self {
        case let .card(number, pin): return "card \(number)\(pin == nil ? "" : " + PIN")"
        case let .user(id, _): return "user \(id) + PIN"
        }
    }
}
