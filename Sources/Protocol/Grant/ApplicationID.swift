/// The seal-use application (SPEC E1) that a seal grant was approved for.
public enum ApplicationKind: IdentifierKind { public static let field = "application id" }

/// Names a seal-use application; the same alphabet and limits as every other identifier. Seal
/// grants, grant requests and seal-use events all name the application with this one type.
public typealias ApplicationID = Identifier<ApplicationKind>
