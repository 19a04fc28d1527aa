/// Why an administrative change was refused; each case maps to one HTTP status and one CLI
/// message.
public enum AdminError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A value is malformed (HTTP 400).
    case input(InputError)
    /// The thing to change does not exist (HTTP 404).
    case notFound(String)
    /// The change clashes with what exists (HTTP 409).
    case conflict(String)
    /// An enrolment token is unknown, used or expired, or the device is enrolled (HTTP 403 / 409).
    case enrollment(EnrollmentRefusal)

    public var description: String {
        switch self {
        case let .input(error): return error.description
        case let .notFound(what): return "\(what) not found"
        case let .conflict(what): return what
        case let .enrollment(refusal): return refusal.description
        }
    }

    /// Maps the store's refusals onto admin errors; other errors pass through.
    static func translating<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as StoreError {
            switch error {
            case let .notFound(what): throw AdminError.notFound(what)
            case let .conflict(what): throw AdminError.conflict(what)
            case let .enrollment(refusal): throw AdminError.enrollment(refusal)
            case .corrupt, .closed: throw error
            }
        } catch let error as InputError {
            throw AdminError.input(error)
        }
    }
}
