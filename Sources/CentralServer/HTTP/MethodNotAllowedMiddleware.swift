import Hummingbird
import HTTPTypes

/// Answers a request the router matched by path but not by method with `405 Method Not
/// Allowed` and the path's `Allow` header, rather than the router's 404 (which would tell a
/// client the resource does not exist, and hides a wrong method from whoever debugs it).
/// Only unmatched requests are looked at: a matched route has its endpoint path set.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let routes: RouteMethodsBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.endpointPath == nil, let allowed = routes.current.allowed(onPath: request.uri.path),
           !allowed.contains(request.method.rawValue) {
            let list = allowed.joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(list)", headers: [.allow: list]
            )
        }
        return try await next(request, context)
    }
}

extension RouteMethods {
    /// The table of `router`'s routes as they are now.
    init(_ router: Router<ServerRequestContext>) {
        self.init(router.routes.map { (method: $0.method.rawValue, path: $0.path.components.map(\.description)) })
    }
}
