import Hummingbird

/// Why a web page is not shown; the page says so in words (and the status says it to tests).
struct WebError: Error, Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String
    /// Not logged in (or the session ended): send the person to the login page.
    let needsLogin: Bool

    init(_ status: HTTPResponse.Status, _ message: String, needsLogin: Bool = false) {
        self.status = status
        self.message = message
        self.needsLogin = needsLogin
    }

    static let login = WebError(.unauthorized, "please log in", needsLogin: true)
    static let csrf = WebError(.forbidden, "this form was sent without its security token (CSRF), or with a wrong one: reload the page and send it again")

    static func forbidden(_ what: String) -> WebError { WebError(.forbidden, what) }
    static func notFound(_ what: String) -> WebError { WebError(.notFound, "\(what) not found") }

    var description: String { "\(status.code) \(message)" }

    /// A refusal of what the person asked (bad input, not allowed, not found, conflict): said
    /// back on the page they came from. Nil for anything else (the server's faults, a login).
    static func refusal(_ error: any Error) -> WebError? {
        guard let known = from(error), !known.needsLogin, (400..<500).contains(known.status.code) else { return nil }
        return known
    }

    /// Any error a page's work threw, as what the person is told; nil for the server's own faults.
    static func from(_ error: any Error) -> WebError? {
        if let error = error as? WebError { return error }
        if let error = error as? FormError { return WebError(.badRequest, error.description) }
        if let mapped = APIError.from(error) {
            let message = (mapped as? APIError)?.message ?? mapped.status.reasonPhrase.lowercased()
            return WebError(mapped.status, message)
        }
        return nil
    }
}
