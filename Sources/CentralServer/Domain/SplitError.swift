/// Why a split charge step was refused. The REST API answers `input` with 400, `forbidden`
/// with 403, `notFound` with 404 and `conflict` with 409 (as `SealWorkflowError`).
public enum SplitError: Error, Hashable, Sendable, CustomStringConvertible {
    case input(InputError)
    case forbidden(String)
    case notFound(String)
    /// Not in a state that allows it (already decided, timed out, not authenticated).
    case conflict(String)

    public var description: String {
        switch self {
        case let .input(error): return error.description
        case let .forbidden(text), let .notFound(text), let .conflict(text): return text
        }
    }

    static func field(_ field: String, _ message: String) -> SplitError { .input(InputError(field: field, message)) }
}
