/// Names a central server (one deployment). A device signs it into its uplink authentication
/// proof, so a proof made for one server cannot be replayed to another.
public enum ServerKind: IdentifierKind { public static let field = "server id" }

/// A central server's id: the same alphabet and limits as every other identifier.
public typealias ServerID = Identifier<ServerKind>
