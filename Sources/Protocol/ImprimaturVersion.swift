/// The release of the Imprimatur programs and the uplink protocol version they speak.
public enum ImprimaturVersion {
    public static let string = "0.1.0"
    /// The version byte in every uplink frame header (docs/protocol.md).
    public static let protocolVersion: UInt8 = 1
}
