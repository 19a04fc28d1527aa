import Protocol

/// What the server says about itself in `--version` and, later, `/healthz`.
public enum ServerInfo {
    public static let name = "imprimatur-server"
    public static let version = ImprimaturVersion.string
    public static var protocolVersion: UInt8 { ImprimaturVersion.protocolVersion }
}
