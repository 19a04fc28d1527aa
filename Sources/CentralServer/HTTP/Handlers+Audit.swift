import Foundation
import Hummingbird
import Protocol

/// The audit log routes: read and verify, never write.
extension Handlers {
    @Sendable func listAudit(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let limit = try Self.limit(request)
        let after = try Self.query(request, "after").map { text throws(InputError) -> UInt64 in
            guard let value = UInt64(text) else { throw InputError(field: "after", "must be an entry number (0 or more)") }
            return value
        } ?? 0
        return JSONResponse.make(DTO.List(items: try await services.store.auditEntries(after: after, limit: limit).map(DTO.AuditEntryBody.init)))
    }

    @Sendable func verifyAudit(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        struct Result: Encodable {
            let intact: Bool
            let entries: UInt64?
            let head: String?
            let brokenAt: UInt64?
            let problem: String?
            enum CodingKeys: String, CodingKey {
                case intact, entries, head, problem
                case brokenAt = "broken_at"
            }
        }
        switch try await services.store.verifyAuditChain() {
        case let .intact(count, head):
            return JSONResponse.make(Result(intact: true, entries: count, head: head.hex, brokenAt: nil, problem: nil))
        case let .broken(chainBreak):
            return JSONResponse.make(Result(intact: false, entries: nil, head: nil, brokenAt: chainBreak.sequence, problem: chainBreak.description))
        }
    }
}
