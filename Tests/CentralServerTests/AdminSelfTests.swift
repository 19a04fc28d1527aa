import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 9: an administrator could disable themselves (leaving, perhaps, nobody to
/// manage the server). Refused with the reason, like taking one's own administrator role;
/// another administrator may, and nobody is stopped from enabling.
@Suite("Administrators and their own account")
struct AdminSelfTests {
    @Test func anAdministratorCannotDisableThemselvesButAnotherCan() async throws {
        let server = try TestServer()
        _ = try await server.addUser("ada", roles: ["administrator"])
        _ = try await server.addUser("bea", roles: ["administrator"])
        let ada = AuditActor.user(Fixture.userID("ada"), from: "127.0.0.1")
        await #expect(throws: AdminError.input(InputError(field: "active", "you cannot disable yourself; ask another administrator"))) {
            try await server.admin.setActive("ada", active: false, by: ada)
        }
        #expect(try await server.store.user(id: Fixture.userID("ada"))?.active == true)
        try await server.admin.setActive("ada", active: false, by: AuditActor.user(Fixture.userID("bea"), from: "127.0.0.1"))
        #expect(try await server.store.user(id: Fixture.userID("ada"))?.active == false)
    }
}
