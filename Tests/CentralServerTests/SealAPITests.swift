import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CentralServer

/// The seal routes through HummingbirdTesting: roles, the workflow's refusals as HTTP errors,
/// the timeline and the inbox.
@Suite("Seal REST API")
struct SealAPITests {
    @Test func applyApproveAndFollowOverHTTP() async throws {
        let server = try TestServer()
        try await server.enroll()
        let alice = try await server.token(for: "alice", roles: ["employee"])
        let arthur = try await server.token(for: "arthur", roles: ["approver", "employee"])
        let bea = try await server.token(for: "bea", roles: ["approver"])
        let aude = try await server.token(for: "aude", roles: ["auditor"])
        try await server.http { client async throws in
            let bad = try await client.call(.post, "/api/v1/seal-applications", token: alice, json: #"{"seal": "seal-9", "reason": "x", "uses": 1, "approvers": ["arthur"]}"#)
            #expect(bad.status == .notFound, "a seal no device has is not there, as an unknown id in a path is")
            #expect(bad.object["field"] as? String == "seal")
            let own = try await client.call(.post, "/api/v1/seal-applications", token: arthur, json: #"{"seal": "seal-1", "reason": "x", "uses": 1, "approvers": ["arthur"]}"#)
            #expect(own.status == .forbidden, "nobody approves their own application")
            let auditorApplies = try await client.call(.post, "/api/v1/seal-applications", token: aude, json: #"{"seal": "seal-1", "reason": "x", "uses": 1, "approvers": ["arthur"]}"#)
            #expect(auditorApplies.status == .forbidden)

            let created = try await client.call(.post, "/api/v1/seal-applications", token: alice,
                                                json: #"{"seal": "seal-1", "reason": "Contract", "uses": 2, "photos": 1, "approvers": ["arthur", "bea"], "cc": ["aude"]}"#)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["waiting_on"] as? String == "arthur")

            #expect(try await client.call(.post, "/api/v1/seal-applications/\(id)/approve", token: bea).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/seal-applications/\(id)/approve", token: alice).status == .forbidden)
            let waiting = try await client.call(.get, "/api/v1/seal-applications?view=waiting", token: arthur)
            #expect(waiting.items.map { $0["id"] as? String } == [id])
            #expect(try await client.call(.post, "/api/v1/seal-applications/\(id)/approve", token: arthur, json: #"{"note": "ok"}"#).status == .ok)
            let done = try await client.call(.post, "/api/v1/seal-applications/\(id)/approve", token: bea)
            #expect(done.object["status"] as? String == "approved")
            #expect(done.object["uses_remaining"] as? Int == 2)
            #expect(try await client.call(.post, "/api/v1/seal-applications/\(id)/reject", token: bea).status == .conflict)

            let detail = try await client.call(.get, "/api/v1/seal-applications/\(id)", token: aude)
            let timeline = try #require(detail.object["timeline"] as? [[String: Any]])
            #expect(timeline.map { $0["action"] as? String } == ["submitted", "approved", "approved", "completed"])
            #expect(timeline[1]["note"] as? String == "ok")
            let stranger = try await server.token(for: "sam", roles: ["employee"])
            #expect(try await client.call(.get, "/api/v1/seal-applications/\(id)", token: stranger).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/seal-applications?view=all", token: stranger).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/seal-records", token: stranger).status == .forbidden)

            let inbox = try await client.call(.get, "/api/v1/notifications?unread=true", token: alice)
            #expect(inbox.items.map { $0["kind"] as? String } == ["seal.approved", "seal.level-approved"])
            let first = try #require(inbox.items.first?["id"] as? Int)
            #expect(try await client.call(.post, "/api/v1/notifications/\(first)/read", token: alice).status == .ok)
            #expect(try await client.call(.post, "/api/v1/notifications/\(first)/read", token: bea).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/notifications?unread=true", token: alice).items.count == 1)

            let revoke = try await client.call(.post, "/api/v1/seal-applications/\(id)/revoke", token: arthur, json: #"{"note": "cancelled"}"#)
            #expect(revoke.object["status"] as? String == "revoked")

            let report = try await client.call(.get, "/api/v1/seal-records/report?period=weekly&at=2023-11-14&format=csv", token: aude)
            #expect(report.status == .ok)
            #expect(report.text.hasPrefix(SealReport.csvHeader))
            let badDate = try await client.call(.get, "/api/v1/seal-records/report?at=2023-02-30", token: aude)
            #expect(badDate.object["field"] as? String == "at")
        }
        let actions = try await server.store.auditEntries(after: 0, limit: 1000).map(\.record.action).filter { $0.hasPrefix("seal.") }
        #expect(actions == ["seal.apply", "seal.approve", "seal.approve", "seal.revoke"])
    }
}
