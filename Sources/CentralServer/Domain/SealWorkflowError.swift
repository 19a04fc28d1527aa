/// Why the seal workflow refused a step. Each names what was wrong; the REST API answers
/// `input` with 400, `forbidden` with 403, `notFound` with 404 and `conflict` with 409.
public enum SealWorkflowError: Error, Hashable, Sendable, CustomStringConvertible {
    case input(InputError)
    /// The person may not do this (not their turn, their own application, not an approver).
    case forbidden(String)
    case notFound(String)
    /// Not in a state that allows it (already decided, not approved).
    case conflict(String)

    public var description: String {
        switch self {
        case let .input(error): return error.description
        case let .forbidden(text), let .notFound(text), let .conflict(text): return text
        }
    }

    static func field(_ field: String, _ message: String) -> SealWorkflowError { .input(InputError(field: field, message)) }
}
