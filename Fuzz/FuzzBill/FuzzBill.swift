import Foundation
import Protocol

/// libFuzzer entry point for the bill reader: a bill document as a customer (or `imprimatur-agent
/// verify-bill`) reads it, `Bill.decode`, and the checks run on it, `BillCheck`; and the usage
/// entries an agent answers `verify-bill` with, `UsageEntry(wireBytes:)`. Properties checked on
/// every input:
/// - no crash or sanitizer report; a refused bill or line is a `BillError` (typed throws);
/// - a bill that decodes encodes to JSON that decodes to the same bill;
/// - the bill compared with its own lines agrees, and with its last line missing on the device
///   names that line as not on the device;
/// - the line-by-line proof check runs on each line without trapping;
/// - a usage entry that decodes re-encodes to exactly the input (canonical).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBill(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let entry = try? UsageEntry(wireBytes: bytes), entry.wireBytes() != bytes {
        fatalError("usage entry is not canonical")
    }
    guard let bill = try? Bill.decode(Data(bytes)) else { return 0 }
    guard let again = try? Bill.decode(bill.encoded()), again == bill else { fatalError("bill did not survive re-encoding") }

    _ = try? BillCheck.checkInternal(bill)
    _ = try? bill.selection()
    var devices: [String] = []
    for line in bill.lines where !devices.contains(line.device) { devices.append(line.device) }
    for name in devices.prefix(4) {
        guard let device = try? DeviceID(name) else { continue }
        guard let own = try? bill.lines.filter({ $0.device == name }).map({ line throws(BillError) in try line.entry() }) else { continue }
        do {
            if let finding = try BillCheck.compare(bill, device: device, deviceEntries: own) {
                fatalError("the bill disagrees with its own lines of \(name): \(finding)")
            }
            guard case .notOnDevice? = try BillCheck.compare(bill, device: device, deviceEntries: Array(own.dropLast())) else {
                fatalError("a line missing on the device was not reported")
            }
        } catch {
            fatalError("compare refused lines whose entries it had read: \(error)")
        }
        for line in bill.lines.prefix(8) where line.device == name {
            _ = try? BillCheck.checkLine(line, in: bill, device: device, deviceKeys: [BillFuzz.key.publicKey])
        }
    }
    return 0
}

/// The device log behind the seed bills, as ProtocolTests' BillSample builds it.
enum BillFuzz {
    static let key = try! SigningKey(seed: Array(0x20...0x3f))
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    struct Log {
        var events: [Event] = []
        var tree = MerkleTree()
        var checkpoint: SignedCheckpoint? = nil
    }

    static func log(device: DeviceID, jobs: Int, users: [UserID]) -> Log {
        var log = Log()
        for index in 0..<(jobs * 2) {
            let time = t0.adding(seconds: Int64(index * 60))
            let body: EventBody
            if index % 2 == 0 {
                body = .fault(try! FaultEvent(component: "copier", code: UInt32(index), message: "toner low"))
            } else {
                let colour = UInt32(index % 3)
                body = .copyJob(try! CopyJobEvent(
                    sessionID: 1, copierJobSequence: UInt32(index), userID: users[(index / 2) % users.count],
                    grantID: GrantID(high: 1, low: UInt64(index)), pages: 4, copies: 2, colourPages: colour, monoPages: 4 - colour,
                    duplex: index % 5 == 0, paperSize: index % 3 == 0 ? .a3 : .a4, started: time.adding(seconds: -30), ended: time, end: .completed
                ))
            }
            let event = try! log.events.last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
            log.events.append(event)
            _ = log.tree.append(leafData: event.wireBytes())
        }
        log.checkpoint = try! SignedCheckpoint(signing: try! Checkpoint(deviceID: device, treeSize: log.tree.size, root: log.tree.root, time: t0.adding(seconds: 86_400), keyID: key.keyID), with: key)
        return log
    }

    static func bill(_ logs: [Log], users: Set<UserID>, id: String = "bill-000001") -> Bill {
        let selection = try! UsageSelection(users: users, start: t0, end: t0.adding(seconds: 86_400))
        var lines: [BillBuilder.Line] = []
        var checkpoints: [DeviceID: SignedCheckpoint] = [:]
        for log in logs {
            for event in log.events {
                guard let entry = UsageEntry(event: event), selection.contains(entry) else { continue }
                lines.append(BillBuilder.Line(entry: entry, event: event.wireBytes(), proof: try! log.tree.inclusionProof(leafIndex: event.sequence - 1, treeSize: log.tree.size)))
            }
            checkpoints[log.events[0].deviceID] = log.checkpoint
        }
        let prices = try! PriceTable([
            PagePrice(paperSize: .a4, colour: true, pricePerPage: 20), PagePrice(paperSize: .a4, colour: false, pricePerPage: 5),
            PagePrice(paperSize: .a3, colour: false, pricePerPage: 9),
        ])
        let header = BillBuilder.Header(id: id, corrects: nil, account: "department:legal", selection: selection, issuedAt: t0, currency: try! CurrencyCode("EUR"))
        return try! BillBuilder.make(header, lines: lines, checkpoints: checkpoints, prices: prices)
    }
}

/// `FUZZ_WRITE_SEEDS=<dir> fuzz-bill -runs=0` writes the seed corpus (Fuzz/corpus/bill): small
/// honest bills as the server builds them, altered ones, and usage entries as an agent sends them.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] else { return 0 }
    let alice = try! UserID("alice"), bob = try! UserID("bob")
    let copier1 = BillFuzz.log(device: try! DeviceID("copier-1"), jobs: 3, users: [alice, bob])
    let copier2 = BillFuzz.log(device: try! DeviceID("copier-2"), jobs: 2, users: [bob])
    let one = BillFuzz.bill([copier1], users: [alice])
    let two = BillFuzz.bill([copier1, copier2], users: [alice, bob], id: "bill-000002")
    let compact = JSONEncoder()
    compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func json(_ bill: Bill) -> [UInt8] { [UInt8](try! compact.encode(bill)) }
    var priced = one
    priced.lines[0].colourPrice += 1
    var total = one
    total.amount += 7
    var reordered = two
    reordered.lines.reverse()
    var proof = one
    proof.lines[0].proof.removeLast()
    let entry = UsageEntry(event: copier1.events[1])!
    let seeds: [(String, [UInt8])] = [
        ("bill-one-device.json", [UInt8](one.encoded())),
        ("bill-two-devices-compact.json", json(two)),
        ("bill-altered-price.json", json(priced)),
        ("bill-altered-total.json", json(total)),
        ("bill-lines-reordered.json", json(reordered)),
        ("bill-short-proof.json", json(proof)),
        ("usage-entry.bin", entry.wireBytes()),
        ("usage-entry-truncated.bin", Array(entry.wireBytes().dropLast(3))),
    ]
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in seeds {
        guard FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes)) else { fatalError("cannot write \(directory)/\(name)") }
    }
    print("wrote \(seeds.count) seeds to \(directory)")
    exit(0)
}
