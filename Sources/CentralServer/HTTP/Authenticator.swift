import Hummingbird
import Protocol

/// Checks the API token on a request (`Authorization: Bearer <token>`) and the caller's roles.
/// No token, an unknown token or a disabled user → 401; a missing role → 403.
struct Authenticator: Sendable {
    let store: any ServerStore

    /// The caller, who must hold at least one of `roles` (any authenticated user when empty).
    func require(_ request: Request, _ roles: Set<Role> = []) async throws -> User {
        guard let header = request.headers[.authorization] else { throw APIError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthenticated }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 256,
              let user = try await store.apiTokenOwner(hash: Secrets.tokenHash(token)), user.active
        else {
            throw APIError(.unauthorized, "the API token is not valid", headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        guard roles.isEmpty || !user.roles.isDisjoint(with: roles) else {
            throw APIError(.forbidden, "this needs the role \(roles.sorted().map(\.rawValue).joined(separator: " or "))")
        }
        return user
    }

    /// The caller, who must hold one of `roles` or be the user `subject` themselves.
    func requireSelfOr(_ request: Request, subject: UserID, _ roles: Set<Role>) async throws -> User {
        let user = try await require(request)
        guard user.id == subject || !user.roles.isDisjoint(with: roles) else {
            throw APIError(.forbidden, "this needs the role \(roles.sorted().map(\.rawValue).joined(separator: " or ")), or to be user \(subject)")
        }
        return user
    }
}

import Foundation
