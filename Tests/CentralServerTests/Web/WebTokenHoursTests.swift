import Foundation
import Testing
@testable import CentralServer

/// Issue 21: `hours=9223372036854775807` on the enrolment token form trapped the server
/// (`hours * 3_600_000`). Any hours that are not 1 to 720 come back as a notice naming the
/// field, nothing is made, and the server keeps answering.
@Suite("Web: enrolment token hours")
struct WebTokenHoursTests {
    @Test(arguments: ["9223372036854775807", "-1", "0", "721", "a day", "1e3"])
    func hoursOutsideTheRangeAreRefusedWithTheField(hours: String) async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            try await ada.get("/web/admin/tokens")
            let answer = try await ada.post("/web/admin/tokens", [("name", "copier-9"), ("hours", hours)])
            #expect(answer.status == .seeOther)
            let back = String(buffer: try await ada.get(answer.headers[.location] ?? "/web").body)
            #expect(back.contains("Not made: hours: must be a whole number of hours from 1 to 720"), "\(back.prefix(2000))")
        }
        #expect(try await server.store.enrollmentTokens().isEmpty)
    }

    @Test func hoursInTheRangeMakeATokenThatLastsThatLong() async throws {
        let server = try await WebPagesTests.server()
        try await server.http { client in
            let ada = PageSession(client)
            _ = try await ada.login("ada", "ada-password")
            try await ada.get("/web/admin/tokens")
            let answer = try await ada.post("/web/admin/tokens", [("name", "copier-9"), ("hours", "720")])
            #expect(answer.status == .ok)
        }
        let token = try #require(try await server.store.enrollmentTokens().first)
        #expect(token.expires.millisecondsSinceEpoch - token.created.millisecondsSinceEpoch == 720 * 3_600_000)
    }
}
