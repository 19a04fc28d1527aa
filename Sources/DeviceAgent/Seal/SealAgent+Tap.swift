import Protocol

extension SealAgent {
    /// Someone identified at the seal's box for an approved application: the server is asked for
    /// a seal grant (resource type seal, naming the application), and the grant it signs opens
    /// the seal through `use(grantToken:application:)`, verified here and by the seal itself.
    /// There is no offline seal use: the server counts an application's uses.
    public func tap(_ credential: Credential, application: ApplicationID) async -> UseResult {
        guard case .locked = session.phase else {
            return UseResult(unlocked: false, uses: nil, message: "The seal is already in use; log out first.")
        }
        guard channel != nil else {
            return UseResult(unlocked: false, uses: nil, message: "The seal is not connected.")
        }
        let answer: GrantAnswer
        do {
            answer = try await authority.requestSealGrant(credential, seal: settings.sealID, application: application, at: clock.now())
        } catch {
            return UseResult(unlocked: false, uses: nil, message: "The seal needs the server, which cannot be reached (\(error.description)); it stays locked.")
        }
        switch answer {
        case let .refused(_, message):
            return UseResult(unlocked: false, uses: nil, message: message)
        case let .granted(grantToken, _):
            return await use(grantToken: grantToken, application: application)
        }
    }
}
