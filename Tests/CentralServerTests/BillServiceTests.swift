import Foundation
import GRDB
import Protocol
import Testing
@testable import CentralServer

/// Bills issued by a real server store from events ingested as the uplink ingests them.
@Suite("Bills: issuing")
struct BillServiceTests {
    static let device = try! DeviceID("agent-1")

    /// `count` events of device agent-1, every other one a copy job of alice (odd) or bob.
    static func events(_ range: ClosedRange<Int>, after previous: Event?) throws -> [Event] {
        var events: [Event] = []
        var last = previous
        for index in range {
            let time = Fixture.now.adding(seconds: Int64(index * 60))
            let body: EventBody = index % 2 == 0
                ? .fault(try FaultEvent(component: "copier", code: UInt32(index), message: "toner low"))
                : .copyJob(try CopyJobEvent(sessionID: 1, copierJobSequence: UInt32(index), userID: Fixture.userID(index % 4 == 1 ? "alice" : "bob"),
                                            grantID: GrantID(high: 0, low: UInt64(index)), pages: 3, copies: 1, colourPages: 1, monoPages: 2,
                                            duplex: false, paperSize: .a4, started: time.adding(seconds: -10), ended: time, end: .completed))
            let event = try last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
            events.append(event)
            last = event
        }
        return events
    }

    struct Setup {
        let server: TestServer
        let ingestion: IngestionService
        let enrolled: Device
        var events: [Event] = []
        var tree = MerkleTree()

        init() async throws {
            server = try TestServer()
            try await server.addUser("alice", department: "finance")
            try await server.addUser("bob", department: "finance")
            try await server.addUser("carol", department: "legal")
            _ = try await server.admin.setPrice(paper: "A4", colour: true, price: 20, currency: "EUR", by: TestServer.actor)
            _ = try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
            enrolled = try await server.enroll()
            ingestion = IngestionService(store: server.store, blobs: BlobFiles(dataDirectory: server.directory.path), metrics: server.services.metrics, logger: server.services.logger)
        }

        /// Sends events `range` and then a checkpoint over everything sent.
        mutating func send(_ range: ClosedRange<Int>, checkpoint: Bool = true) async throws {
            let new = try BillServiceTests.events(range, after: events.last)
            try await server.issueGrants(for: new)
            let batch = try UplinkMessage.EventBatch(firstSequence: new[0].sequence, events: new.map { $0.wireBytes() })
            guard case .acknowledged = try await ingestion.ingest(batch, device: device, now: Fixture.now) else { throw StoreError.conflict("refused") }
            for event in new { tree.append(leafData: event.wireBytes()) }
            events += new
            guard checkpoint else { return }
            let signed = try SignedCheckpoint(signing: try Checkpoint(deviceID: device, treeSize: tree.size, root: tree.root, time: Fixture.now, keyID: Fixture.deviceKey.keyID),
                                              with: Fixture.deviceKey)
            #expect(try await ingestion.checkpoint(token: signed.wireBytes(), device: enrolled, now: Fixture.now) == nil)
        }
    }

    static let month = BillService.Request(account: "user:alice", start: Fixture.now, end: Fixture.now.adding(seconds: 86_400))

    @Test func aBillHasTheAccountsJobsPricedWithProofsThatCheck() async throws {
        var setup = try await Setup()
        try await setup.send(1...40)
        let (bill, json) = try await setup.server.services.bills.issue(Self.month, by: TestServer.actor)
        #expect(bill.lines.count == 10)
        #expect(bill.lines.allSatisfy { $0.user == "alice" })
        #expect(bill.amount == 10 * (20 + 2 * 5))
        #expect(try BillCheck.checkInternal(bill) == nil)
        let expected = setup.events.compactMap(UsageEntry.init(event:)).filter { $0.userID.value == "alice" }
        #expect(bill.usageHash == UsageHash.compute(expected).hex)
        for line in bill.lines {
            #expect(try BillCheck.checkLine(line, in: bill, device: Self.device, deviceKeys: [Fixture.deviceKey.publicKey]) == nil)
        }
        #expect(try await setup.server.store.billJSON(id: bill.id) == json)
        #expect(try Bill.decode(Data(json.utf8)) == bill)
        let audit = try await setup.server.store.auditEntries(after: 0, limit: 1000)
        #expect(audit.contains { $0.record.action == "bill.issue" && $0.record.target == "bill:\(bill.id)" })
    }

    @Test func aDepartmentBillCoversItsMembers() async throws {
        var setup = try await Setup()
        try await setup.send(1...40)
        let request = BillService.Request(account: "department:finance", start: Fixture.now, end: Fixture.now.adding(seconds: 86_400))
        let (bill, _) = try await setup.server.services.bills.issue(request, by: TestServer.actor)
        #expect(bill.users == ["alice", "bob"])
        #expect(bill.lines.count == 20)
        await #expect(throws: StoreError.self) {
            try await setup.server.services.bills.issue(BillService.Request(account: "department:nobody", start: Fixture.now, end: Fixture.now.adding(seconds: 1)), by: TestServer.actor)
        }
        await #expect(throws: InputError.self) {
            try await setup.server.services.bills.issue(BillService.Request(account: "alice", start: Fixture.now, end: Fixture.now.adding(seconds: 1)), by: TestServer.actor)
        }
    }

    @Test func billsAreImmutableAndCorrectionsReferToTheBillTheyCorrect() async throws {
        var setup = try await Setup()
        try await setup.send(1...20)
        let (first, _) = try await setup.server.services.bills.issue(Self.month, by: TestServer.actor)
        let store = try #require(setup.server.store as? SQLiteServerStore)
        await #expect(throws: (any Error).self) { try await store.pool.write { db in try db.execute(sql: "UPDATE bills SET amount = 1") } }
        await #expect(throws: (any Error).self) { try await store.pool.write { db in try db.execute(sql: "DELETE FROM bills") } }
        var correction = Self.month
        correction.corrects = first.id
        let (second, _) = try await setup.server.services.bills.issue(correction, by: TestServer.actor)
        #expect(second.corrects == first.id && second.id != first.id)
        correction.corrects = "bill-999999"
        await #expect(throws: StoreError.notFound("bill bill-999999")) { try await setup.server.services.bills.issue(correction, by: TestServer.actor) }
        #expect(try await store.bills(account: "user:alice", limit: 10).map(\.id) == [second.id, first.id])
    }

    @Test func jobsNotYetCoveredByACheckpointAreRefusedClearly() async throws {
        var setup = try await Setup()
        try await setup.send(1...10)
        try await setup.send(11...20, checkpoint: false)
        await #expect(throws: StoreError.self) { try await setup.server.services.bills.issue(Self.month, by: TestServer.actor) }
    }

    /// Grants are signed by server keys, checkpoints by the device: a bill whose period spans a
    /// rotation of the server's keys checks out line by line with the device key alone.
    @Test func aPeriodStraddlingAServerKeyRotationStillChecks() async throws {
        var setup = try await Setup()
        try await setup.send(1...20)
        let before = try setup.server.services.keyRing.keys().current.keyID
        _ = try KeyDirectory(dataDirectory: setup.server.directory.path).rotate(now: Fixture.now.adding(seconds: 1_300))
        try await setup.send(21...40)
        let (bill, _) = try await setup.server.services.bills.issue(Self.month, by: TestServer.actor)
        #expect(try setup.server.services.keyRing.keys().current.keyID != before)
        #expect(bill.lines.contains { $0.sequence < 20 } && bill.lines.contains { $0.sequence > 20 })
        #expect(try BillCheck.checkInternal(bill) == nil)
        for line in bill.lines {
            #expect(try BillCheck.checkLine(line, in: bill, device: Self.device, deviceKeys: [Fixture.deviceKey.publicKey]) == nil)
        }
    }
}

@Suite("Bills: HTTP API")
struct BillAPITests {
    @Test func issueListAndFetchOverHTTP() async throws {
        var setup = try await BillServiceTests.Setup()
        try await setup.send(1...20)
        let admin = try await setup.server.token(for: "ada", roles: ["administrator"])
        let auditor = try await setup.server.token(for: "aud", roles: ["auditor"])
        let start = String(Fixture.now.millisecondsSinceEpoch)
        try await setup.server.http { client in
            #expect(try await client.call(.post, "/api/v1/bills", token: auditor, json: #"{"account":"user:alice","start":"\#(start)"}"#).status == .forbidden)
            let bad = try await client.call(.post, "/api/v1/bills", token: admin, json: #"{"account":"user:alice","start":"last week"}"#)
            #expect(bad.status == .badRequest && bad.text.contains("start"))
            let created = try await client.call(.post, "/api/v1/bills", token: admin, json: #"{"account":"user:alice","start":"\#(start)"}"#)
            #expect(created.status == .created)
            let bill = try Bill.decode(Data(created.text.utf8))
            #expect(bill.lines.count == 5 && bill.periodEnd > bill.periodStart)
            let fetched = try await client.call(.get, "/api/v1/bills/\(bill.id)", token: auditor)
            #expect(fetched.status == .ok && fetched.text == created.text)
            #expect(try await client.call(.get, "/api/v1/bills/bill-424242", token: auditor).status == .notFound)
            let list = try await client.call(.get, "/api/v1/bills?account=user:alice", token: auditor)
            #expect(list.status == .ok && list.text.contains(bill.id))
            let unknown = try await client.call(.post, "/api/v1/bills", token: admin, json: #"{"account":"user:nobody","start":"\#(start)"}"#)
            #expect(unknown.status == .notFound)
        }
    }
}
