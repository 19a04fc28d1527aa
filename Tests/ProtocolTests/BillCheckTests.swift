import Foundation
import Protocol
import Testing

/// A device log with copy jobs of two users and other events between them, its signed
/// checkpoint, and a bill built from it as the server would.
struct BillSample {
    static let device = try! DeviceID("copier-1")
    static let key = try! SigningKey(seed: Array(0x20...0x3f))
    static let alice = try! UserID("alice")
    static let bob = try! UserID("bob")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    var events: [Event] = []
    var tree = MerkleTree()
    var checkpoint: SignedCheckpoint

    init(jobs: Int = 12) throws {
        var previous: Event?
        for index in 0..<(jobs * 2) {
            let time = Self.t0.adding(seconds: Int64(index * 60))
            let body: EventBody
            if index % 2 == 0 {
                body = .fault(try FaultEvent(component: "copier", code: UInt32(index), message: "toner low"))
            } else {
                let colour = UInt32(index % 3)
                body = .copyJob(try CopyJobEvent(
                    sessionID: 1, copierJobSequence: UInt32(index), userID: index % 4 == 1 ? Self.alice : Self.bob,
                    grantID: GrantID(high: 1, low: UInt64(index)), pages: 4, copies: 2, colourPages: colour, monoPages: 4 - colour,
                    duplex: index % 5 == 0, paperSize: .a4, started: time.adding(seconds: -30), ended: time, end: .completed
                ))
            }
            let event = try previous.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: Self.device, sequence: 1, previousHash: .zero, time: time, body: body)
            events.append(event)
            tree.append(leafData: event.wireBytes())
            previous = event
        }
        checkpoint = try SignedCheckpoint(signing: try Checkpoint(deviceID: Self.device, treeSize: tree.size, root: tree.root, time: Self.t0.adding(seconds: 86_400), keyID: Self.key.keyID), with: Self.key)
    }

    var selection: UsageSelection { try! UsageSelection(users: [Self.alice], start: Self.t0, end: Self.t0.adding(seconds: 86_400)) }

    func entries(_ selection: UsageSelection) -> [UsageEntry] {
        events.compactMap(UsageEntry.init(event:)).filter(selection.contains)
    }

    static var prices: PriceTable {
        try! PriceTable([PagePrice(paperSize: .a4, colour: true, pricePerPage: 20), PagePrice(paperSize: .a4, colour: false, pricePerPage: 5)])
    }

    func bill() throws -> Bill {
        let lines = try events.compactMap { event -> BillBuilder.Line? in
            guard let entry = UsageEntry(event: event), selection.contains(entry) else { return nil }
            return BillBuilder.Line(entry: entry, event: event.wireBytes(), proof: try tree.inclusionProof(leafIndex: event.sequence - 1, treeSize: tree.size))
        }
        let header = BillBuilder.Header(id: "bill-000001", corrects: nil, account: "user:alice", selection: selection, issuedAt: Self.t0, currency: try CurrencyCode("EUR"))
        return try BillBuilder.make(header, lines: lines, checkpoints: [Self.device: checkpoint], prices: Self.prices)
    }
}

@Suite("Bills: usage hash and checks")
struct BillCheckTests {
    @Test func anHonestBillChecksOutInternallyAgainstTheDeviceAndLineByLine() throws {
        let sample = try BillSample()
        let bill = try sample.bill()
        #expect(bill.lines.count == 6)
        #expect(bill.amount == bill.lines.reduce(0) { $0 + Int64($1.colourPages) * 20 + Int64($1.monoPages) * 5 })
        #expect(try BillCheck.checkInternal(bill) == nil)
        #expect(try BillCheck.compare(bill, device: BillSample.device, deviceEntries: sample.entries(sample.selection)) == nil)
        #expect(bill.devices.first?.usageHash == UsageHash.compute(sample.entries(sample.selection)).hex)
        for line in bill.lines {
            #expect(try BillCheck.checkLine(line, in: bill, device: BillSample.device, deviceKeys: [BillSample.key.publicKey]) == nil)
        }
    }

    @Test func theJSONRoundTripsAndTheHashIgnoresOrderOfInput() throws {
        let sample = try BillSample()
        let bill = try sample.bill()
        #expect(try Bill.decode(bill.encoded()) == bill)
        let entries = sample.entries(sample.selection)
        #expect(UsageHash.compute(entries.reversed()) == UsageHash.compute(entries))
        #expect(UsageHash.compute(Array(entries.dropLast())) != UsageHash.compute(entries))
    }

    @Test func theUsageHashIsTheDocumentedBytes() throws {
        // docs/bills.md: SHA-256("imprimatur-usage-v1" || u64 count || entries' canonical bytes).
        let entry = UsageEntry(deviceID: try DeviceID("d"), sequence: 1, userID: try UserID("u"), started: Timestamp(millisecondsSinceEpoch: 0),
                               ended: Timestamp(millisecondsSinceEpoch: 1), pages: 1, copies: 1, colourPages: 0, monoPages: 1, duplex: false, paperSize: .a4)
        let expectedEntry: [UInt8] = [1, 0x64] + [0, 0, 0, 0, 0, 0, 0, 1] + [1, 0x75] + [0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 1]
            + [0, 0, 0, 1] + [0, 0, 0, 1] + [0, 0, 0, 0] + [0, 0, 0, 1] + [0] + [1]
        #expect(entry.wireBytes() == expectedEntry)
        #expect(UsageHash.compute([entry]) == Hash32.sha256(Array("imprimatur-usage-v1".utf8) + [0, 0, 0, 0, 0, 0, 0, 1] + expectedEntry))
    }

    @Test func aChangedPriceOnOneLineIsAMismatchNamingThatJob() throws {
        var bill = try BillSample().bill()
        bill.lines[2].monoPrice += 1
        bill.lines[2].amount = Int64(bill.lines[2].colourPages) * Int64(bill.lines[2].colourPrice) + Int64(bill.lines[2].monoPages) * Int64(bill.lines[2].monoPrice)
        let finding = try BillCheck.checkInternal(bill)
        #expect(finding?.line == bill.lines[2].name)
        guard case let .mismatch(_, field, _, _)? = finding else { Issue.record("expected a mismatch, got \(String(describing: finding))"); return }
        #expect(field == "mono price")
    }

    @Test func aChangedAmountOrTotalIsCaught() throws {
        var bill = try BillSample().bill()
        bill.lines[0].amount += 5
        bill.amount += 5
        guard case let .mismatch(line, field, _, _)? = try BillCheck.checkInternal(bill) else { Issue.record("no mismatch"); return }
        #expect(line == bill.lines[0].name && field == "amount")
        var total = try BillSample().bill()
        total.amount += 1
        guard case let .inconsistent(field: totalField, _)? = try BillCheck.checkInternal(total) else { Issue.record("no inconsistency"); return }
        #expect(totalField == "amount")
    }

    @Test func moreBilledPagesAreAMismatchNamingTheJobAndField() throws {
        let sample = try BillSample()
        var bill = try sample.bill()
        // The server changed its record of one job (more pages, priced and hashed consistently).
        let entries = sample.entries(sample.selection)
        var changed = entries
        let victim = changed[3]
        changed[3] = UsageEntry(deviceID: victim.deviceID, sequence: victim.sequence, userID: victim.userID, started: victim.started, ended: victim.ended,
                                pages: victim.pages + 2, copies: victim.copies, colourPages: victim.colourPages, monoPages: victim.monoPages + 2,
                                duplex: victim.duplex, paperSize: victim.paperSize)
        bill.lines[3] = BillLine(entry: changed[3], colourPrice: bill.lines[3].colourPrice, monoPrice: bill.lines[3].monoPrice,
                                 event: Hex.decode(bill.lines[3].event)!, proof: bill.lines[3].proof.map { try! Hash32(bytes: Hex.decode($0)!) })
        #expect(try BillCheck.compare(bill, device: BillSample.device, deviceEntries: entries)
            == .mismatch(line: "copier-1 #\(victim.sequence)", field: "pages", bill: String(victim.pages + 2), found: String(victim.pages)))
        // The line alone shows it too: its event says otherwise.
        guard case let .mismatch(_, field, _, _)? = try BillCheck.checkLine(bill.lines[3], in: bill, device: BillSample.device, deviceKeys: [BillSample.key.publicKey]) else {
            Issue.record("line check passed"); return
        }
        #expect(field == "pages")
    }

    @Test func aJobLeftOutOrMadeUpIsNamed() throws {
        let sample = try BillSample()
        let bill = try sample.bill()
        let entries = sample.entries(sample.selection)
        #expect(try BillCheck.compare(bill, device: BillSample.device, deviceEntries: Array(entries.dropLast())) == .notOnDevice(line: "copier-1 #\(entries.last!.sequence)"))
        var fewer = bill
        fewer.lines.remove(at: 1)
        #expect(try BillCheck.compare(fewer, device: BillSample.device, deviceEntries: entries) == .missingFromBill(line: "copier-1 #\(entries[1].sequence)"))
    }

    @Test func aBadProofOrAForeignCheckpointFailsTheLineCheck() throws {
        let bill = try BillSample().bill()
        var line = bill.lines[1]
        line.proof[0] = Hash32.sha256([1]).hex
        guard case .mismatch(_, "proof", _, _)? = try BillCheck.checkLine(line, in: bill, device: BillSample.device, deviceKeys: [BillSample.key.publicKey]) else {
            Issue.record("a bad proof passed"); return
        }
        let stranger = try SigningKey(seed: Array(0x40...0x5f))
        guard case .inconsistent? = try BillCheck.checkLine(bill.lines[1], in: bill, device: BillSample.device, deviceKeys: [stranger.publicKey]) else {
            Issue.record("a checkpoint by another key passed"); return
        }
    }

    @Test func theProofOfOneLineAmongAHundredThousandIsUnderOneKilobyte() throws {
        // ceil(log2(100,000)) = 17 hashes of 32 bytes.
        let tree = MerkleTree(leafHashes: (0..<100_000).map { MerkleHash.leaf([UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0 >> 16)]) })
        let proof = try tree.inclusionProof(leafIndex: 54_321, treeSize: tree.size)
        #expect(proof.count * 32 <= 1024)
        #expect(MerkleTree.verifyInclusion(leafHash: try tree.leafHash(at: 54_321), index: 54_321, treeSize: tree.size, proof: proof, root: tree.root))
    }

    @Test(arguments: [
        ("", "not valid JSON"),
        ("{}", "missing \"format\""),
        (#"{"format":"imprimatur-bill-v1","id":5}"#, "\"id\" has the wrong type"),
    ])
    func badBillJSONSaysWhatIsWrong(text: String, message: String) {
        #expect(throws: BillError.notJSON(message)) { try Bill.decode(Data(text.utf8)) }
    }

    @Test func aBillOfAnotherFormatOrAnEmptyPeriodIsRefused() throws {
        var bill = try BillSample().bill()
        bill.format = "imprimatur-bill-v0"
        #expect(throws: BillError.self) { try Bill.decode(bill.encoded()) }
        bill.format = Bill.currentFormat
        bill.periodEnd = bill.periodStart
        #expect(throws: BillError.invalid(field: "period", reason: "start \(bill.periodStart) is not before end \(bill.periodEnd)")) { try Bill.decode(bill.encoded()) }
    }
}
