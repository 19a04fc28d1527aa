import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// SPEC D1-D4 through the REST API, in process (HummingbirdTesting), with the real qpdf: upload,
/// consent, release and charge per part, re-request, rejection and timeout with deletion.
@Suite("Split charges REST API")
struct SplitAPITests {
    struct People {
        let alice: String, bob: String, carol: String, dave: String
    }

    static func setUp(_ server: TestServer) async throws -> People {
        try await server.enroll()
        try await server.store.setPrice(Price(paperSize: .a4, colour: true, pricePerPage: 30, currency: Fixture.eur), at: server.clock.now(),
                                        audit: TestServer.actor.record("price.set", target: "price", at: server.clock.now()))
        try await server.store.setPrice(Price(paperSize: .a4, colour: false, pricePerPage: 5, currency: Fixture.eur), at: server.clock.now(),
                                        audit: TestServer.actor.record("price.set", target: "price", at: server.clock.now()))
        try await server.store.setWebhook(WebhookTarget(url: "http://127.0.0.1:9/hook", secret: "s3cret"),
                                          audit: TestServer.actor.record("webhook.set", target: "webhook", at: server.clock.now()))
        return People(
            alice: try await server.token(for: "alice", roles: ["employee"]), bob: try await server.token(for: "bob", roles: ["employee"]),
            carol: try await server.token(for: "carol", roles: ["employee"]), dave: try await server.token(for: "dave", roles: ["employee"])
        )
    }

    static func upload(_ client: any TestClientProtocol, token: String, pdf: [UInt8], split: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/split-jobs", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/pdf", HTTPField.Name("X-Imprimatur-Split")!: split],
            body: ByteBuffer(bytes: pdf)
        )
    }

    static func part(_ response: TestResponse, _ number: Int) -> [String: Any] {
        ((response.object["parts"] as? [[String: Any]]) ?? [])[number - 1]
    }

    static func payerStates(_ response: TestResponse, _ number: Int) -> [String] {
        ((part(response, number)["payers"] as? [[String: Any]]) ?? []).map { $0["state"] as? String ?? "?" }
    }

    static let twoParts = #"{"title": "Offer", "device": "agent-1", "shares": [{"payer": "bob", "pages": "1-2", "colour": true}, {"payer": "carol", "ratio": 50, "pages": "3-4"}, {"payer": "dave", "ratio": 50, "pages": "3-4"}]}"#

    @Test func eachPartIsReleasedAndChargedOnItsOwn() async throws {
        let server = try TestServer()
        let people = try await Self.setUp(server)
        try await server.http { client async throws in
            let created = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4), split: Self.twoParts)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["page_count"] as? Int == 4)
            #expect(Self.part(created, 1)["pages"] as? String == "1-2")
            #expect(Self.payerStates(created, 2) == ["requesting", "requesting"])
            // Each payer is asked: inbox and webhook outbox.
            let inbox = try await client.call(.get, "/api/v1/notifications", token: people.bob)
            #expect(inbox.items.map { $0["kind"] as? String } == ["split.requested"])
            let outbox = try await server.store.webhookOutbox(limit: 50)
            #expect(outbox.filter { String(decoding: $0.payload, as: UTF8.self).contains("split.requested") }.count == 3)

            let base = "/api/v1/split-jobs/\(id)/payers"
            #expect(try await client.call(.post, "\(base)/bob/approve", token: people.bob).status == .conflict, "approve needs a login first")
            #expect(try await client.call(.post, "\(base)/bob/authenticate", token: people.carol, json: #"{"pin": "1234"}"#).status == .forbidden)
            #expect(try await client.call(.post, "\(base)/bob/authenticate", token: people.bob, json: #"{"pin": "9999"}"#).status == .forbidden)
            #expect(try await client.call(.post, "\(base)/bob/authenticate", token: people.bob, json: #"{"pin": "1234"}"#).status == .ok)
            let bobApproved = try await client.call(.post, "\(base)/bob/approve", token: people.bob)
            #expect(Self.part(bobApproved, 1)["status"] as? String == "released")
            #expect(Self.part(bobApproved, 2)["status"] as? String == "waiting", "one payer's answer does not wait on the others (D3)")
            // 2 colour pages at 30.
            #expect(try await server.store.charges(limit: 10).map { "\($0.userID):\($0.pages):\($0.amount)" } == ["bob:2:60"])

            // Re-request: only the requester, only someone who has not answered.
            #expect(try await client.call(.post, "\(base)/dave/re-request", token: people.carol).status == .forbidden)
            #expect(try await client.call(.post, "\(base)/bob/re-request", token: people.alice).status == .conflict)
            let again = try await client.call(.post, "\(base)/dave/re-request", token: people.alice)
            #expect(again.status == .ok)
            let dave = ((Self.part(again, 2)["payers"] as? [[String: Any]]) ?? []).first { $0["payer"] as? String == "dave" }
            #expect(dave?["requests"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/notifications", token: people.dave).items.map { $0["kind"] as? String } == ["split.re-requested", "split.requested"])

            for (name, token) in [("carol", people.carol), ("dave", people.dave)] {
                #expect(try await client.call(.post, "\(base)/\(name)/authenticate", token: token, json: #"{"pin": "1234"}"#).status == .ok)
                #expect(try await client.call(.post, "\(base)/\(name)/approve", token: token).status == .ok)
            }
            let done = try await client.call(.get, "/api/v1/split-jobs/\(id)", token: people.alice)
            #expect(Self.part(done, 2)["status"] as? String == "released")
            // 2 mono pages at 5, half each.
            let charges = try await server.store.charges(limit: 10).map { "\($0.userID):\($0.pages):\($0.amount)" }
            #expect(charges.sorted() == ["bob:2:60", "carol:1:5", "dave:1:5"])
            #expect(try await server.store.ledger(userID: Fixture.userID("carol"), limit: 10).map(\.kind) == [.use])
            #expect(try await server.store.splitPartPDF(job: id, part: 1) != nil, "a released part is kept for the copier")
            let stranger = try await server.token(for: "sam", roles: ["employee"])
            #expect(try await client.call(.get, "/api/v1/split-jobs/\(id)", token: stranger).status == .notFound)
        }
        let audit = try await server.store.auditEntries(after: 0, limit: 1000).map(\.record.action)
        for action in ["split.create", "split.authenticate-failed", "split.authenticate", "split.approve", "split.re-request", "split.part-released"] {
            #expect(audit.contains(action), "\(action) is audited")
        }
        guard case .intact = try await server.store.verifyAuditChain() else { Issue.record("audit chain broken"); return }
    }

    @Test func aRejectionEndsThePartAndDeletesItsData() async throws {
        let server = try TestServer()
        let people = try await Self.setUp(server)
        try await server.http { client async throws in
            let created = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4), split: Self.twoParts)
            let id = try #require(created.object["id"] as? String)
            let base = "/api/v1/split-jobs/\(id)/payers"
            #expect(try await client.call(.post, "\(base)/carol/authenticate", token: people.carol, json: #"{"pin": "1234"}"#).status == .ok)
            let rejected = try await client.call(.post, "\(base)/carol/reject", token: people.carol)
            #expect(Self.part(rejected, 2)["status"] as? String == "rejected")
            #expect(Self.part(rejected, 2)["data_deleted"] as? String != nil)
            #expect(Self.part(rejected, 1)["status"] as? String == "waiting")
            #expect(try await server.store.splitPartPDF(job: id, part: 1) == nil)
            #expect(try await server.store.splitPartPDF(job: id, part: 0) != nil)
            #expect(try await client.call(.post, "\(base)/dave/authenticate", token: people.dave, json: #"{"pin": "1234"}"#).status == .conflict)
            #expect(try await server.store.charges(limit: 10).isEmpty)
        }
        #expect(try await server.store.auditEntries(after: 0, limit: 1000).contains { $0.record.action == "split.part-deleted" && $0.record.details["status"] == "rejected" })
    }

    @Test func aPartNotApprovedInTimeIsEndedAndDeleted() async throws {
        let server = try TestServer()
        let people = try await Self.setUp(server)
        try await server.http { client async throws in
            let created = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4), split: Self.twoParts)
            let id = try #require(created.object["id"] as? String)
            let base = "/api/v1/split-jobs/\(id)/payers"
            #expect(try await client.call(.post, "\(base)/bob/authenticate", token: people.bob, json: #"{"pin": "1234"}"#).status == .ok)
            #expect(try await client.call(.post, "\(base)/bob/approve", token: people.bob).status == .ok)
            #expect(try await client.call(.post, "\(base)/carol/authenticate", token: people.carol, json: #"{"pin": "1234"}"#).status == .ok)

            // A minute before the deadline nothing happens.
            server.clock.advance(milliseconds: SplitConsent.defaultTimeout - 60_000)
            #expect(try await server.services.splits.sweep() == 0)
            #expect(try await server.store.splitPartPDF(job: id, part: 1) != nil)
            server.clock.advance(milliseconds: 60_000)
            #expect(try await server.services.splits.sweep() == 1)
            #expect(try await server.services.splits.sweep() == 0, "a second pass finds nothing left")

            let after = try await client.call(.get, "/api/v1/split-jobs/\(id)", token: people.alice)
            #expect(Self.part(after, 1)["status"] as? String == "released", "a released part stays released")
            #expect(Self.part(after, 2)["status"] as? String == "timed-out")
            #expect(Self.payerStates(after, 2) == ["timed-out", "timed-out"])
            #expect(try await server.store.splitPartPDF(job: id, part: 1) == nil)
            #expect(try await client.call(.post, "\(base)/carol/approve", token: people.carol).status == .conflict)
            let told = try await client.call(.get, "/api/v1/notifications", token: people.alice)
            #expect(told.items.contains { $0["kind"] as? String == "split.timed-out" })
        }
        let deleted = try await server.store.auditEntries(after: 0, limit: 1000).filter { $0.record.action == "split.part-deleted" }
        #expect(deleted.map { $0.record.details["status"] } == ["timed-out"])
        #expect(deleted.first?.record.actor == "system:split")
    }

    @Test func badUploadsAreRefusedWithClearErrors() async throws {
        let server = try TestServer()
        let people = try await Self.setUp(server)
        try await server.http { client async throws in
            let notPDF = try await Self.upload(client, token: people.alice, pdf: Array("hello".utf8), split: Self.twoParts)
            #expect(notPDF.status == .badRequest)
            #expect(notPDF.object["field"] as? String == "pdf")
            let broken = try await Self.upload(client, token: people.alice, pdf: Array("%PDF-1.4\nthis is not a pdf at all\n".utf8), split: Self.twoParts)
            #expect(broken.status == .badRequest, "\(broken.text)")
            #expect((broken.object["error"] as? String)?.contains("not a readable PDF") == true, "\(broken.text)")
            let outside = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 3), split: Self.twoParts)
            #expect(outside.status == .badRequest)
            #expect(outside.object["field"] as? String == "shares[1].pages", "\(outside.text)")
            let unknown = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4),
                                                split: #"{"title": "x", "device": "agent-1", "shares": [{"payer": "zed"}]}"#)
            #expect(unknown.object["field"] as? String == "shares[0].payer")
            let noDevice = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4),
                                                 split: #"{"title": "x", "device": "agent-9", "shares": [{"payer": "bob"}]}"#)
            #expect(noDevice.status == .notFound)
            #expect(noDevice.object["field"] as? String == "device")
            let typo = try await Self.upload(client, token: people.alice, pdf: SamplePDF.make(pages: 4),
                                             split: #"{"title": "x", "device": "agent-1", "shares": [{"payer": "bob", "ratoi": 50}]}"#)
            #expect(typo.object["field"] as? String == "shares[0].ratoi")
            let noHeader = try await client.execute(uri: "/api/v1/split-jobs", method: .post,
                                                    headers: [.authorization: "Bearer \(people.alice)", .contentType: "application/pdf"], body: ByteBuffer(bytes: SamplePDF.make(pages: 1)))
            #expect(noHeader.status == .badRequest)
        }
        #expect(try await server.store.splitJobs(involving: nil, limit: 10).isEmpty)
    }

    @Test func qpdfCountsAndExtractsPages() throws {
        let tool = PDFTool()
        let pdf = SamplePDF.make(pages: 5)
        #expect(try tool.pageCount(pdf) == 5)
        let part = try tool.extract(pdf, first: 2, last: 4)
        #expect(try tool.pageCount(part) == 3)
        #expect(throws: PDFTool.Failure.self) { try tool.pageCount(Array("%PDF-1.7\n%%EOF".utf8)) }
    }
}
