import Logging
import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// The server's side of releasing split parts to the device (docs/protocol-uplink.md, `partOffer`):
/// what waits for delivery, what `partDone` deletes and records, and that a printed part's
/// event charges nobody.
@Suite("Split release to the device")
struct SplitReleaseTests {
    static let split = SplitRequest(shares: [
        SplitShareRequest(payer: "bob", copies: 3, pages: PageRange(first: 1, last: 2)),
        SplitShareRequest(payer: "carol", pages: PageRange(first: 3, last: 3)),
    ])

    /// A 3-page job split between bob (pages 1-2, 3 copies) and carol (page 3); bob approved.
    static func releasedForBob(_ server: TestServer) async throws -> SplitJob {
        try await server.enroll()
        let alice = try await server.addUser("alice")
        let bob = try await server.addUser("bob")
        try await server.addUser("carol")
        let job = try await server.services.splits.create(pdf: SamplePDF.make(pages: 3), split: split, title: "Offer", device: "agent-1", by: alice, from: "test")
        _ = try await server.services.splits.act(.authenticate, job: job.id, payer: "bob", pin: "1234", by: bob, from: "test")
        return try await server.services.splits.act(.approve, job: job.id, payer: "bob", pin: nil, by: bob, from: "test")
    }

    @Test func aReleasedPartWaitsUntilTheAgentIsDoneWithIt() async throws {
        let server = try TestServer()
        let job = try await Self.releasedForBob(server)
        let device = try DeviceID("agent-1")
        let waiting = try await server.store.splitPartsAwaitingDelivery(device: device)
        #expect(waiting.map(\.partID) == ["split-\(job.id)-1"], "only the released part; the device was not connected")
        #expect(waiting.first?.impressions == 6 && waiting.first?.copies == 3)
        #expect(waiting.first?.pdfHash == job.parts[0].pdfHash)
        #expect(SplitPartDelivery.parse(partID: "split-\(job.id)-1")! == (job.id, 0))
        #expect(SplitPartDelivery.parse(partID: "split-x-0") == nil && SplitPartDelivery.parse(partID: "copy-1") == nil)

        let releaser = server.services.splitReleaser
        let partID = "split-\(job.id)-1"
        // Another PDF's answer, another device's, an unknown part: nothing is deleted.
        try await releaser.done(try .init(partID: partID, pdfHash: Hash32.sha256([1]), outcome: .printed(copierJobSequence: 1, impressions: 6)), from: device)
        try await releaser.done(try .init(partID: partID, pdfHash: job.parts[0].pdfHash, outcome: .printed(copierJobSequence: 1, impressions: 6)),
                                from: try DeviceID("agent-2"))
        try await releaser.done(try .init(partID: "split-nope-1", pdfHash: job.parts[0].pdfHash, outcome: .notPrinted("x")), from: device)
        #expect(try await server.store.splitPartPDF(job: job.id, part: 0) != nil)

        let done = try UplinkMessage.PartDone(partID: partID, pdfHash: job.parts[0].pdfHash, outcome: .printed(copierJobSequence: 7, impressions: 6))
        try await releaser.done(done, from: device)
        try await releaser.done(done, from: device)  // a repeated answer records nothing more
        #expect(try await server.store.splitPartPDF(job: job.id, part: 0) == nil)
        #expect(try await server.store.splitPartsAwaitingDelivery(device: device).isEmpty)
        let stored = try #require(try await server.store.splitJob(id: job.id))
        #expect(stored.parts[0].dataDeleted != nil && stored.parts[0].pdfHash == job.parts[0].pdfHash && stored.parts[0].pdfSize == job.parts[0].pdfSize)
        #expect(try await server.store.splitPartPDF(job: job.id, part: 1) != nil, "carol's part is not released: kept")
        let printed = try await server.store.auditEntries(after: 0, limit: 1000).filter { $0.record.action == "split.part-printed" }
        #expect(printed.count == 1)
        #expect(printed.first?.record.details["copier_job"] == "7" && printed.first?.record.details["impressions_printed"] == "6")
        #expect(printed.first?.record.actor == "device:agent-1")
    }

    @Test func aPartPrintEventIsStoredAndChargesNobody() async throws {
        let server = try TestServer()
        let job = try await Self.releasedForBob(server)
        let device = try DeviceID("agent-1")
        let chargesBefore = try await server.store.charges(limit: 100)
        #expect(chargesBefore.map(\.userID.value) == ["bob"])
        let print = try PartPrintEvent(
            sessionID: 1, copierJobSequence: 3, partID: "split-\(job.id)-1", pdfHash: job.parts[0].pdfHash, pages: 6, copies: 3,
            colourPages: 0, monoPages: 6, paperSize: .a4, started: Fixture.now, ended: Fixture.now, end: .completed
        )
        let event = try Event(deviceID: device, sequence: 1, previousHash: .zero, time: Fixture.now, body: .partPrint(print))
        let ingestion = IngestionService(store: server.store, blobs: BlobFiles(dataDirectory: server.directory.path),
                                         metrics: server.services.metrics, logger: Logger(label: "test"))
        let outcome = try await ingestion.ingest(try UplinkMessage.EventBatch(firstSequence: 1, events: [event.wireBytes()]), device: device, now: Fixture.now)
        #expect(outcome == .acknowledged(sequence: 1, chargedUsers: []))
        #expect(try await server.store.events(device: device, from: 1, limit: 10).map(\.body) == [.partPrint(print)])
        #expect(try await server.store.charges(limit: 100).map(\.userID.value) == ["bob"], "the release charged bob; the print charges nobody")
    }
}
