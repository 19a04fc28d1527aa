import Protocol
import Testing
@testable import CentralServer

/// `GrantUseCheck` on its own: which issued grants a copy job or a seal use may be charged under.
@Suite("Grant use check")
struct GrantUseCheckTests {
    static let device = Fixture.deviceID("agent-1")
    static let alice = Fixture.userID("alice")
    static let application = try! ApplicationID("sa-1")
    static let id = GrantID(high: 7, low: 7)

    static func grant(_ kind: IssuedGrant.Kind, device: String = "agent-1", user: String = "alice", application: ApplicationID? = nil) -> IssuedGrant {
        IssuedGrant(grantID: id, kind: kind, keyID: Fixture.deviceKey.keyID, userID: Fixture.userID(user), deviceID: Fixture.deviceID(device),
                    resourceID: kind == .access ? Fixture.resourceID(application == nil ? "copier-1" : "seal-1") : nil,
                    issuedAt: Fixture.now, expires: Fixture.now.adding(seconds: 60), allowance: nil, available: kind == .limit ? 30 : nil,
                    applicationID: application)
    }

    static func problem(_ issued: IssuedGrant?, _ use: GrantUseCheck.Use) -> String? {
        GrantUseCheck.problem(grantID: id, issued: issued, device: device, user: alice, use: use)
    }

    @Test func whatARealAgentNamesIsAccepted() {
        #expect(Self.problem(Self.grant(.access), .copyJob) == nil, "online: the session's copier grant")
        #expect(Self.problem(Self.grant(.limit), .copyJob) == nil, "offline: the limit grant")
        #expect(Self.problem(Self.grant(.access, application: Self.application), .sealUse(Self.application)) == nil)
    }

    @Test func everythingElseIsRefusedWithTheReason() {
        #expect(Self.problem(nil, .copyJob) == "grant \(Self.id) was never issued by this server")
        #expect(Self.problem(Self.grant(.access, device: "agent-2"), .copyJob) == "grant \(Self.id) was issued to device agent-2, not agent-1")
        #expect(Self.problem(Self.grant(.limit, user: "bob"), .copyJob) == "grant \(Self.id) was issued for user bob, not alice")
        #expect(Self.problem(Self.grant(.access, application: Self.application), .copyJob)?.contains("is a seal grant") == true)
        #expect(Self.problem(Self.grant(.limit), .sealUse(Self.application)) == "grant \(Self.id) is a limit grant, not a seal grant")
        #expect(Self.problem(Self.grant(.access), .sealUse(Self.application)) == "grant \(Self.id) was issued for a copier, not application sa-1")
        #expect(Self.problem(Self.grant(.access, application: try! ApplicationID("sa-2")), .sealUse(Self.application)) == "grant \(Self.id) was issued for application sa-2, not application sa-1")
    }
}
