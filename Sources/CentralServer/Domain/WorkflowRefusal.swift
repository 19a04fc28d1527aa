/// Why a person's step in a workflow (a seal application, a split charge) was refused. Each
/// names what was wrong; the REST API answers `input` with 400, `forbidden` with 403,
/// `notFound` with 404 and `conflict` with 409.
public enum WorkflowRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case input(InputError)
    /// The person may not do this (not their turn, their own application, not a payer).
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

    static func field(_ field: String, _ message: String) -> WorkflowRefusal { .input(InputError(field: field, message)) }
}

/// The seal application workflow's refusals (SealWorkflow).
public typealias SealWorkflowError = WorkflowRefusal
/// The split charge workflow's refusals (SplitPlanner, SplitConsent, SplitJobFlow).
public typealias SplitError = WorkflowRefusal
