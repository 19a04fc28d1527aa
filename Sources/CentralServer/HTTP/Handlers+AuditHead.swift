import Hummingbird
import Protocol

extension Handlers {
    /// The newest signed audit head (issue 14) as an anchor file, for an auditor to keep and
    /// later check with `imprimatur-server audit verify --against FILE`. Auditors only: it is
    /// what they hold the server to.
    @Sendable func latestAuditHead(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, [.auditor])
        guard let signed = try await services.store.latestSignedAuditHead() else {
            throw APIError(.notFound, "no audit head has been signed yet (the server signs one within a minute of the first audit entry)")
        }
        return JSONResponse.make(AuditAnchorFile(signed))
    }
}
