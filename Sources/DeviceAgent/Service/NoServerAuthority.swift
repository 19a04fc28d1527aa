import Protocol

/// The authority of an agent configured with no server (or before enrolment): every tap is
/// decided offline from the cached limit grants.
public struct NoServerAuthority: GrantAuthority {
    public init() {}

    public func requestGrant(_ credential: Credential, copier: ResourceID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        throw .unreachable("no server is configured")
    }
}

extension NoServerAuthority: SealGrantAuthority {
    public func requestSealGrant(_ credential: Credential, seal: ResourceID, application: ApplicationID, at time: Timestamp) async throws(GrantAuthorityError) -> GrantAnswer {
        throw .unreachable("no server is configured")
    }
}
