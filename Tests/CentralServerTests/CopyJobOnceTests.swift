import Foundation
import Protocol
import Testing
@testable import CentralServer

/// Issue 13: a copier job (device, session id, copier job sequence) is charged once, however
/// many copy job events name it: the agent read it twice, or logged it again after a crash. The
/// repeat is stored (the chain stays whole), not charged, and shown as a security event.
@Suite("Ingestion: one charge per copier job")
struct CopyJobOnceTests {
    static let device = try! DeviceID("agent-1")

    /// Copy jobs of alice, one event each: `jobs[i]` is (session id, copier job sequence).
    static func events(_ jobs: [(UInt64, UInt32)], after previous: Event?) throws -> [Event] {
        var events: [Event] = []
        var last = previous
        for (index, (session, sequence)) in jobs.enumerated() {
            let time = Fixture.now.adding(seconds: Int64((last.map { Int($0.sequence) } ?? 0) + index + 1))
            let body = EventBody.copyJob(try CopyJobEvent(
                sessionID: session, copierJobSequence: sequence, userID: Fixture.userID("alice"), grantID: GrantID(high: 0, low: UInt64(sequence)),
                pages: 4, copies: 1, colourPages: 0, monoPages: 4, duplex: false, paperSize: .a4,
                started: time.adding(seconds: -5), ended: time, end: .completed))
            let event = try last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
            events.append(event)
            last = event
        }
        return events
    }

    final class Setup {
        let server: TestServer
        let ingestion: IngestionService
        var events: [Event] = []

        init() async throws {
            server = try TestServer()
            try await server.addUser("alice")
            _ = try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
            _ = try await server.enroll()
            ingestion = IngestionService(store: server.store, blobs: BlobFiles(dataDirectory: server.directory.path),
                                         metrics: server.services.metrics, logger: server.services.logger)
        }

        func send(_ jobs: [(UInt64, UInt32)]) async throws {
            try await resend(try CopyJobOnceTests.events(jobs, after: events.last))
        }

        func resend(_ new: [Event]) async throws {
            try await server.issueGrants(for: new)
            let batch = try UplinkMessage.EventBatch(firstSequence: new[0].sequence, events: new.map { $0.wireBytes() })
            guard case .acknowledged = try await ingestion.ingest(batch, device: CopyJobOnceTests.device, now: Fixture.now) else {
                throw StoreError.conflict("refused")
            }
            for event in new where event.sequence > (events.last?.sequence ?? 0) { events.append(event) }
        }

        var charged: Int { get async throws { try await server.store.charges(limit: 1000).count } }
        var ledgerUse: Int64 {
            get async throws { try await server.store.ledger(userID: Fixture.userID("alice"), limit: 1000).filter { $0.kind == .use }.map(\.pages).reduce(0, +) }
        }
        var repeats: Int { get async throws { try await server.store.securityEvents(limit: 1000).filter { $0.kind == "copy job repeated" }.count } }
    }

    @Test func theSameCopierJobTwiceInOneBatchIsChargedOnce() async throws {
        let setup = try await Setup()
        try await setup.send([(7, 41), (7, 41), (7, 42)])
        #expect(try await setup.charged == 2)
        #expect(try await setup.ledgerUse == 8)
        #expect(try await setup.repeats == 1)
        #expect(try await setup.server.store.eventHead(device: Self.device)?.sequence == 3, "the repeat is stored as an event")
    }

    @Test func theSameCopierJobInALaterBatchIsChargedOnce() async throws {
        let setup = try await Setup()
        try await setup.send([(7, 41)])
        try await setup.send([(7, 41)])  // logged again after an agent restart
        try await setup.send([(8, 41)])  // the same number under another session: another job
        #expect(try await setup.charged == 2)
        #expect(try await setup.repeats == 1)
    }

    @Test func aResentBatchIsNeitherStoredNorChargedAgain() async throws {
        let setup = try await Setup()
        try await setup.send([(7, 41), (7, 42)])
        try await setup.resend(setup.events)  // the ack was lost: the agent sends it all again
        #expect(try await setup.charged == 2)
        #expect(try await setup.repeats == 0, "a resend is not a repeated job")
        #expect(try await setup.server.store.eventHead(device: Self.device)?.sequence == 2)
    }
}
