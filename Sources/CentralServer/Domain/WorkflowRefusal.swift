/// Why a person's step in a workflow (a seal application, a split charge) was refused. Each
/// names what was wrong; the REST API answers `input` with 400, `forbidden` with 403,
/// `notFound` and `missing` with 404, `conflict` with 409 and
/// `rateLimited` with 429 and Retry-After.
public enum WorkflowRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case input(InputError)
    /// The person may not do this (not their turn, their own application, not a payer).
    case forbidden(String)
    case notFound(String)
    /// The thing a field of the request names as what it acts on (the device a rollout or a
    /// split job goes to, the seal applied for) does not exist: 404, the field named, as an
    /// unknown id in the path is.
    case missing(InputError)
    /// Not in a state that allows it (already decided, timed out, not authenticated).
    case conflict(String)
    /// Too many wrong PINs: not tried; again after `retryAfter` seconds (HTTP 429).
    case rateLimited(String, retryAfter: Int64)

    public var description: String {
        switch self {
        case let .input(error), let .missing(error): return error.description
        case let .forbidden(text), let .notFound(text), let .conflict(text), let .rateLimited(text, _): return text
        }
    }

    static func field(_ field: String, _ message: String) -> WorkflowRefusal { .input(InputError(field: field, message)) }
}

/// The seal application workflow's refusals (SealWorkflow).
public typealias SealWorkflowError = WorkflowRefusal
/// The split charge workflow's refusals (SplitPlanner, SplitConsent, SplitJobFlow).
public typealias SplitError = WorkflowRefusal
