import Protocol

/// Checks the grant a device's copy job or seal use names against the grants the server issued
/// (`grants_issued`). Pure. Issue 21: a device could charge any user, or count stamps against
/// any application, under a grant id the server never issued; an event is charged (or counted)
/// only under a grant this server signed for that device and that user.
///
/// What a real agent names: a copy job made online names the copier access grant its session
/// opened with; one made offline names the limit grant it decided from (docs/grants.md: both
/// are recorded when signed, limit grants each time they are pushed). A seal use names the seal
/// access grant of its session, which carries the application.
public enum GrantUseCheck {
    public enum Use: Hashable, Sendable {
        case copyJob
        case sealUse(ApplicationID)
    }

    /// Why the event may not be charged under `grantID`; nil when it may.
    /// - Parameter issued: the issued grant with that id, nil when the server issued none.
    public static func problem(grantID: GrantID, issued: IssuedGrant?, device: DeviceID, user: UserID, use: Use) -> String? {
        guard let issued else { return "grant \(grantID) was never issued by this server" }
        guard issued.deviceID == device else { return "grant \(grantID) was issued to device \(issued.deviceID), not \(device)" }
        guard issued.userID == user else { return "grant \(grantID) was issued for user \(issued.userID), not \(user)" }
        switch use {
        case .copyJob:
            // A copier session opens under a copier access grant or, offline, a limit grant.
            if issued.kind == .access, let application = issued.applicationID {
                return "grant \(grantID) is a seal grant (application \(application)), not a copier grant"
            }
            return nil
        case let .sealUse(application):
            guard issued.kind == .access else { return "grant \(grantID) is a limit grant, not a seal grant" }
            guard issued.applicationID == application else {
                return "grant \(grantID) was issued for \(issued.applicationID.map { "application \($0)" } ?? "a copier"), not application \(application)"
            }
            return nil
        }
    }
}
