import Hummingbird
import Logging

/// Wraps every route: turns thrown errors into JSON answers (a handler's `APIError`, bad
/// input → 400, unknown route → 404; anything unexpected → 500 with the details only in the
/// log) and counts each request in `/metrics` by route pattern and status.
struct APIMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            if let known = APIError.from(error) {
                response = try known.response(from: request, context: context)
            } else {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                response = try APIError(.internalServerError, "internal error").response(from: request, context: context)
            }
        }
        metrics.httpRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code)
        return response
    }
}
