import Foundation
import GRDB
import Protocol
import Testing
@testable import DeviceAgent

/// `verify-bill`'s logic against a real agent store, over the same request handling the local
/// API socket uses (`LocalAPI.storeAnswer`); the bill is built from the store's events as the
/// server builds it.
@Suite("Bills: the device's check")
struct BillVerifierTests {
    static let bob = try! UserID("bob")
    static let period = try! UsageSelection(users: [StoreFixture.alice], start: StoreFixture.t0, end: StoreFixture.t0.adding(seconds: 86_400))
    static let prices = try! PriceTable([PagePrice(paperSize: .a4, colour: true, pricePerPage: 20), PagePrice(paperSize: .a4, colour: false, pricePerPage: 5)])

    /// Jobs of alice and bob between faults, then a checkpoint.
    static func filledStore(_ fixture: StoreFixture) async throws -> AgentStore {
        let store = try fixture.open()
        for index in 1...20 {
            let time = StoreFixture.t0.adding(seconds: Int64(index * 60))
            if index % 3 == 0 {
                _ = try await store.append(StoreFixture.fault(index), at: time)
                continue
            }
            let job = try CopyJobEvent(
                sessionID: 1, copierJobSequence: UInt32(index), userID: index % 2 == 0 ? StoreFixture.alice : bob, grantID: StoreFixture.grantID,
                pages: 6, copies: 3, colourPages: UInt32(index % 2) * 3, monoPages: 6 - UInt32(index % 2) * 3, duplex: false, paperSize: .a4,
                started: time.adding(seconds: -20), ended: time, end: .completed)
            _ = try await store.append(.copyJob(job), at: time)
        }
        try store.makeCheckpoint(at: StoreFixture.t0.adding(seconds: 3_600))
        return store
    }

    /// The bill the server would issue for alice from these events; `change` edits entries first.
    static func bill(from store: AgentStore, change: (inout UsageEntry) -> Void = { _ in }) throws -> Bill {
        let checkpoint = try #require(try store.latestCheckpoint())
        let lines = try store.events(from: 1, limit: 1000).compactMap { event -> BillBuilder.Line? in
            guard var entry = UsageEntry(event: event), period.contains(entry) else { return nil }
            change(&entry)
            return BillBuilder.Line(entry: entry, event: event.wireBytes(), proof: try store.inclusionProof(sequence: event.sequence, treeSize: checkpoint.checkpoint.treeSize))
        }
        let header = BillBuilder.Header(id: "bill-000001", corrects: nil, account: "user:alice", selection: period, issuedAt: StoreFixture.t0, currency: try CurrencyCode("EUR"))
        return try BillBuilder.make(header, lines: lines, checkpoints: [StoreFixture.deviceID: checkpoint], prices: prices)
    }

    static func verifier(_ store: AgentStore) -> BillVerifier {
        BillVerifier { request in
            // Through JSON both ways, as over the socket.
            let decoded = try JSONDecoder().decode(LocalAPI.Request.self, from: JSONEncoder().encode(request))
            return try JSONDecoder().decode(LocalAPI.Response.self, from: Data(LocalAPI.encode(LocalAPI.storeAnswer(decoded, store: store)).utf8))
        }
    }

    @Test func anHonestBillMatches() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        let bill = try Self.bill(from: store)
        #expect(bill.lines.count == 7)
        let outcome = try Self.verifier(store).verify(bill)
        #expect(outcome == .match(device: StoreFixture.deviceID.value, entries: 7, usageHash: bill.usageHash))
        #expect(outcome.exitCode == 0)
        for number in 1...bill.lines.count {
            guard case .match = try Self.verifier(store).verifyLine(bill, number: number) else { Issue.record("line \(number) did not prove"); return }
        }
    }

    @Test func aServerSideChangeToOneJobsPagesIsAMismatchNamingThatJob() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        let bill = try Self.bill(from: store) { entry in
            guard entry.sequence == 10 else { return }
            entry = UsageEntry(deviceID: entry.deviceID, sequence: entry.sequence, userID: entry.userID, started: entry.started, ended: entry.ended,
                               pages: entry.pages + 1, copies: entry.copies, colourPages: entry.colourPages, monoPages: entry.monoPages + 1,
                               duplex: entry.duplex, paperSize: entry.paperSize)
        }
        let outcome = try Self.verifier(store).verify(bill)
        #expect(outcome == .mismatch(.mismatch(line: "\(StoreFixture.deviceID) #10", field: "pages", bill: "7", found: "6")))
        #expect(outcome.exitCode == 4)
        let lineNumber = try #require(bill.lines.firstIndex { $0.sequence == 10 }) + 1
        guard case .mismatch(.mismatch(_, "pages", _, _)) = try Self.verifier(store).verifyLine(bill, number: lineNumber) else {
            Issue.record("the line check passed"); return
        }
    }

    @Test func aServerSideChangeToOneJobsPriceIsAMismatchNamingThatJob() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        var bill = try Self.bill(from: store)
        bill.lines[1].colourPrice = 25
        bill.lines[1].amount = Int64(bill.lines[1].colourPages) * 25 + Int64(bill.lines[1].monoPages) * Int64(bill.lines[1].monoPrice)
        bill.amount = bill.lines.reduce(0) { $0 + $1.amount }
        let outcome = try Self.verifier(store).verify(bill)
        guard case let .mismatch(finding) = outcome else { Issue.record("expected a mismatch, got \(outcome)"); return }
        #expect(finding.line == bill.lines[1].name)
    }

    @Test func aRowEditedInTheAgentsDatabaseIsAlteredAtItsSequence() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        let bill = try Self.bill(from: store)
        // Someone lowers job 8's pages and re-hashes the row so that the row alone looks fine.
        let original = try #require(try store.events(from: 8, limit: 1).first)
        guard case let .copyJob(job) = original.body else { Issue.record("event 8 is not a job"); return }
        let edited = try Event(deviceID: original.deviceID, sequence: 8, previousHash: original.previousHash, time: original.time, body: .copyJob(try CopyJobEvent(
            sessionID: job.sessionID, copierJobSequence: job.copierJobSequence, userID: job.userID, grantID: job.grantID, pages: 1, copies: job.copies,
            colourPages: 0, monoPages: 1, duplex: job.duplex, paperSize: job.paperSize, started: job.started, ended: job.ended, end: job.end)))
        try fixture.tamper { db in
            try db.execute(sql: "UPDATE events SET bytes = ?, hash = ? WHERE sequence = 8", arguments: [Data(edited.wireBytes()), Data(edited.hash.bytes)])
        }
        let outcome = try Self.verifier(store).verify(bill)
        guard case let .altered(sequence, reason) = outcome else { Issue.record("expected ALTERED, got \(outcome)"); return }
        #expect(sequence == 8, "\(reason)")
        #expect(outcome.exitCode == 3)
    }

    @Test func aChangedRowWhoseHashWasLeftIsAlteredToo() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        let bill = try Self.bill(from: store)
        try fixture.tamper { db in try db.execute(sql: "UPDATE events SET bytes = CAST(bytes || x'00' AS BLOB) WHERE sequence = 5") }
        guard case .altered(5, _) = try Self.verifier(store).verify(bill) else { Issue.record("not ALTERED at 5"); return }
    }

    @Test func aJobTheBillLeavesOutIsAMismatch() async throws {
        let fixture = try StoreFixture()
        let store = try await Self.filledStore(fixture)
        defer { try? store.close() }
        let full = try Self.bill(from: store)
        var entries = try full.lines.map { try $0.entry() }
        entries.remove(at: 2)
        let selection = Self.period
        let header = BillBuilder.Header(id: "bill-2", corrects: nil, account: "user:alice", selection: selection, issuedAt: StoreFixture.t0, currency: nil)
        let checkpoint = try #require(try store.latestCheckpoint())
        let lines = try entries.map { entry in
            BillBuilder.Line(entry: entry, event: try #require(try store.events(from: entry.sequence, limit: 1).first).wireBytes(),
                             proof: try store.inclusionProof(sequence: entry.sequence, treeSize: checkpoint.checkpoint.treeSize))
        }
        let bill = try BillBuilder.make(header, lines: lines, checkpoints: [StoreFixture.deviceID: checkpoint], prices: Self.prices)
        #expect(try Self.verifier(store).verify(bill) == .mismatch(.missingFromBill(line: full.lines[2].name)))
    }
}
