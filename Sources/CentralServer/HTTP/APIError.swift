import Foundation
import Hummingbird

/// An HTTP error answered as JSON: `{"error": "...", "field": "..."}` (field only when one
/// input field is to blame).
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    public let field: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers
    }

    public static func badInput(_ error: InputError) -> APIError {
        APIError(.badRequest, error.description, field: error.field)
    }

    public static let unauthenticated = APIError(
        .unauthorized, "an API token is needed: Authorization: Bearer <token>", headers: [.wwwAuthenticate: "Bearer"]
    )

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = ["error": message]
        if let field { body["field"] = field }
        var response = JSONResponse.make(body, status: status)
        for header in headers { response.headers.append(header) }
        return response
    }

    /// The API error for anything a handler threw; nil for errors that are the server's fault.
    static func from(_ error: any Error) -> (any HTTPResponseError)? {
        switch error {
        case let error as APIError: return error
        case let error as InputError: return badInput(error)
        case let error as WorkflowRefusal:
            switch error {
            case let .input(input): return badInput(input)
            case let .forbidden(text): return APIError(.forbidden, text)
            case let .notFound(text): return APIError(.notFound, text)
            case let .missing(input): return APIError(.notFound, input.description, field: input.field)
            case let .conflict(text): return APIError(.conflict, text)
            case let .rateLimited(text, seconds): return APIError(.tooManyRequests, text, headers: [.retryAfter: "\(max(1, seconds))"])
            }
        case let error as PDFTool.Failure:
            if case .malformed = error { return APIError(.badRequest, error.description, field: "pdf") }
            return nil
        case let error as StoreError:
            switch error {
            case .notFound: return APIError(.notFound, error.description)
            case .conflict: return APIError(.conflict, error.description)
            default: return nil
            }
        case let error as AdminError:
            switch error {
            case let .input(input): return badInput(input)
            case .notFound: return APIError(.notFound, error.description)
            case .conflict: return APIError(.conflict, error.description)
            case let .enrollment(refusal):
                switch refusal {
                case .deviceAlreadyEnrolled: return APIError(.conflict, refusal.description)
                case .resourceAlreadyEnrolled: return APIError(.conflict, refusal.description, field: "resources")
                case .unknownToken, .tokenUsed, .tokenExpired: break
                }
                return APIError(.forbidden, refusal.description, field: "token")
            }
        case let error as HTTPError:
            return APIError(error.status, error.body ?? error.status.reasonPhrase.lowercased())
        case let error as any HTTPResponseError:
            return APIError(error.status, error.status.reasonPhrase.lowercased())
        default:
            return nil
        }
    }
}

/// JSON responses with stable output (sorted keys) so that tests and people can diff them.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every DTO is plain strings, numbers, booleans, arrays and objects: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(data) + [0x0a]))
        )
    }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
