import Foundation
import Protocol
import Testing
@testable import CentralServer

/// The demo history goes through the real ingestion, bill and workflow services; what the web
/// pages read from it (job content, faults, bill verification) is checked here on a real store.
@Suite("Demo history and what the pages read from it")
struct DemoHistoryTests {
    static func seeded() async throws -> (TestServer, DemoHistory.Summary) {
        let server = try TestServer()
        try await server.addUser("alice")
        try await server.addUser("bob")
        try await server.addUser("arthur", roles: ["approver", "employee"])
        _ = try await server.admin.setPrice(paper: "A4", colour: true, price: 20, currency: "EUR", by: TestServer.actor)
        _ = try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
        let summary = try await DemoHistory.seed(services: server.services, blobs: server.services.blobs!, days: 20)
        return (server, summary)
    }

    @Test func theNewestJobsCarryTheirScannedPages() async throws {
        let (server, summary) = try await Self.seeded()
        #expect(summary.jobs > 10)
        #expect(summary.contentPages == 6)
        let jobs = try await server.store.jobs(limit: 1000)
        #expect(jobs.count == summary.jobs)
        let newest = jobs[0]
        let pages = try await server.store.jobContent(jobID: newest.id)
        #expect(pages.map(\.page) == [1, 2])
        #expect(pages.allSatisfy { $0.held })
        let png = try #require(server.services.blobs?.contents(pages[0].blobHash))
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        // An old job has none, and an unknown job is empty rather than an error.
        #expect(try await server.store.jobContent(jobID: jobs.last!.id).isEmpty)
        #expect(try await server.store.jobContent(jobID: "nope:1").isEmpty)
        #expect(try await server.store.job(id: newest.id) == newest)
    }

    @Test func theDemoDeviceShowsAFault() async throws {
        let (server, _) = try await Self.seeded()
        let faults = try await server.store.recentFaults(since: Timestamp(millisecondsSinceEpoch: 0), limit: 10)
        #expect(faults.map(\.device.value) == [DemoHistory.deviceID])
        #expect(faults.first?.message.contains("toner") == true)
    }

    @Test func theDemoBillVerifiesAndATamperedOneDoesNot() async throws {
        let (server, summary) = try await Self.seeded()
        let billID = try #require(summary.bill)
        let json = try #require(try await server.store.billJSON(id: billID))
        let bill = try Bill.decode(Data(json.utf8))
        #expect(!bill.lines.isEmpty)
        let verified = try await BillVerification.check(bill, store: server.store)
        #expect(verified.ok && verified.verdict == "VERIFIED")
        var tampered = bill
        tampered.amount += 1
        let failed = try await BillVerification.check(tampered, store: server.store)
        #expect(!failed.ok && failed.details.joined().contains("amount"))
        var moved = bill
        moved.lines[0].pages += 1
        moved.lines[0].monoPages += 1
        moved.lines[0].amount += Int64(moved.lines[0].monoPrice)
        moved.amount += Int64(moved.lines[0].monoPrice)
        let unproved = try await BillVerification.check(moved, store: server.store)
        #expect(!unproved.ok)
    }

    @Test func itMakesASplitJobAndAPendingApplicationAndRunsOnce() async throws {
        let (server, summary) = try await Self.seeded()
        let splitID = try #require(summary.splitJob)
        let split = try #require(try await server.store.splitJob(id: splitID))
        #expect(Set(split.parts.flatMap { $0.payers.map(\.payer.value) }) == ["alice", "bob"])
        let applicationText = try #require(summary.application)
        let application = try #require(try await server.store.sealApplication(id: try ApplicationID(applicationText)))
        #expect(application.waitingOn?.value == "arthur")
        await #expect(throws: DemoHistory.Refusal.self) { try await DemoHistory.seed(services: server.services, blobs: server.services.blobs!) }
    }
}
