/// A value a person typed (on the command line or in a JSON body) that the server refuses,
/// with the field it came from, so the CLI and the REST API can both say exactly what was wrong.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field or option name as the person knows it: `pin`, `card`, `price`, ...
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
