import CentralServer
import DeviceAgent
import Foundation
import Protocol
import TestSupport

/// Figures for bills (issue 5, docs/bills.md): one device-month of 100,000 copy jobs of one
/// account, written by a real agent store, ingested by a real server store as the uplink does,
/// then a bill issued (server) and checked (agent: re-check of its store + usage hash). Goals:
/// verify in at most 1 s; an inclusion proof of at most 1 KB.
enum BillBenchmarks {
    static let deviceID = try! DeviceID("copier-3f")
    static let deviceKey = try! SigningKey(seed: Array(1...32))
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let user = try! UserID("alice.example")
    /// 100,000 jobs 25 s apart span 29 days: one month.
    static let spacingSeconds: Int64 = 25

    static func run() throws {
        print("== Bills (one device-month, 100,000 events)")
        try AgentStoreBenchmarks.blocking { try await measure(events: 100_000) }
    }

    static func job(_ index: Int) -> EventBody {
        let pages = UInt32(1 + index % 40)
        let ended = t0.adding(seconds: Int64(index) * spacingSeconds)
        return .copyJob(try! CopyJobEvent(
            sessionID: UInt64(index / 8), copierJobSequence: UInt32(index + 1), userID: user,
            grantID: GrantID(high: UInt64(index), low: 0xb111), pages: pages, copies: UInt32(1 + index % 3),
            colourPages: pages / 4, monoPages: pages - pages / 4, duplex: index % 2 == 0, paperSize: index % 7 == 0 ? .a3 : .a4,
            started: ended.adding(seconds: -Int64(pages) * 2), ended: ended, end: .completed))
    }

    static func measure(events: Int) async throws {
        // The agent's store, filled by 64 writers (group commit), with a checkpoint.
        let agentDirectory = try TemporaryDirectory("bill-bench-agent")
        let store = try AgentStore.open(path: agentDirectory.appending("agent.db"), deviceID: deviceID, deviceKey: deviceKey)
        defer { try? store.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<64 {
                group.addTask {
                    for index in stride(from: writer, to: events, by: 64) {
                        _ = try await store.append(job(index), at: t0.adding(seconds: Int64(index) * spacingSeconds))
                    }
                }
            }
            try await group.waitForAll()
        }
        let checkpoint = try store.makeCheckpoint(at: t0.adding(seconds: 31 * 86_400))

        // The server: the account, prices, the enrolled device, the events and the checkpoint.
        let serverDirectory = try TemporaryDirectory("bill-bench-server")
        let services = try ServerServices.open(dataDirectory: serverDirectory.path, logger: quietLogger("imprimatur.bench.bills"))
        let actor = AuditActor.cli("bench")
        _ = try await services.admin.createUser(AdminService.NewUser(id: user.value, name: "Alice", roles: ["employee"]), by: actor)
        for (paper, colour, price) in [("A4", true, 20), ("A4", false, 5), ("A3", true, 40), ("A3", false, 10)] {
            _ = try await services.admin.setPrice(paper: paper, colour: colour, price: Int64(price), currency: "EUR", by: actor)
        }
        let (token, _) = try await services.admin.createEnrollmentToken(name: "bench copier", lifetime: 3_600_000, by: actor)
        let device = try await services.enrollment.enroll(EnrollmentService.Request(
            token: token, deviceID: deviceID.value, publicKey: Hex.encode(deviceKey.publicKey.bytes), model: "sim", firmware: "1.0.0",
            resources: [("copier-1", "copier")]), source: "bench").device
        let ingestion = IngestionService(store: services.store, blobs: BlobFiles(dataDirectory: serverDirectory.path), metrics: services.metrics,
                                         logger: quietLogger("imprimatur.bench.ingest"))
        var next: UInt64 = 1
        while next <= UInt64(events) {
            let batch = try store.events(from: next, limit: UplinkLimits.eventBatchCount)
            _ = try await ingestion.ingest(try UplinkMessage.EventBatch(firstSequence: next, events: batch.map { $0.wireBytes() }), device: deviceID, now: t0)
            next += UInt64(batch.count)
        }
        if let refusal = try await ingestion.checkpoint(token: checkpoint.wireBytes(), device: device, now: t0) {
            print("  the server refused the checkpoint: \(refusal)")
            return
        }

        // Issue.
        let request = BillService.Request(account: "user:\(user)", start: t0, end: t0.adding(seconds: 31 * 86_400))
        var issued: (bill: Bill, json: String)?
        let issuing = try await AgentStoreBenchmarks.timed { issued = try await services.bills.issue(request, by: actor) }
        guard let (bill, json) = issued else { return }
        report("issue a bill of \(bill.lines.count / 1000)k lines (server)", issuing.seconds, "s",
               note: String(format: "JSON %.1f MB, %.0f bytes per line", Double(json.utf8.count) / 1e6, Double(json.utf8.count) / Double(bill.lines.count)))

        // Verify, as `imprimatur-agent verify-bill` does (minus the socket): the bill against
        // itself, the store re-checked from disk, the usage hashed and compared.
        let verifier = BillVerifier { request in LocalAPI.storeAnswer(request, store: store) }
        var samples: [Double] = []
        var outcome: BillVerifier.Outcome?
        for _ in 0..<3 {
            let verifying = try await AgentStoreBenchmarks.timed { outcome = try verifier.verify(bill) }
            samples.append(verifying.seconds)
        }
        report("verify (agent re-check, hash, compare)", percentile(samples, 50), "s",
               note: "median of 3; goal <= 1 s; \(outcome.map { "\($0)".prefix(5) } ?? "?")")
        let selection = try bill.selection()
        let recheck = time { _ = try? store.usageReport(for: selection) }
        report("  of which store re-check + usage hash", recheck.seconds, "s")
        let internalCheck = time { _ = try? BillCheck.checkInternal(bill) }
        report("  of which the bill's own sums + hashes", internalCheck.seconds, "s")

        // The CLI reads the bill's JSON before any of that; at 100,000 lines it is large.
        let data = Data(json.utf8)
        let parsing = time { _ = try? Bill.decode(data) }
        report("  before it: parse the bill's JSON (CLI)", parsing.seconds, "s", note: "not part of the goal above")

        // Proofs.
        let proofHashes = bill.lines.map(\.proof.count)
        let maximum = proofHashes.max() ?? 0
        report("inclusion proof per line, largest", Double(maximum * Hash32.byteCount), "bytes",
               note: "\(maximum) hashes of 32 bytes; goal <= 1024; \(maximum * 64 + maximum * 4) chars as JSON hex")
        report("inclusion proof per line, mean", Double(proofHashes.reduce(0, +) * Hash32.byteCount) / Double(max(1, proofHashes.count)), "bytes")
        let keys = [deviceKey.publicKey]
        let lineCheck = rate(seconds: 0.5) { _ = try? BillCheck.checkLine(bill.lines[bill.lines.count / 2], in: bill, device: deviceID, deviceKeys: keys) }
        report("one line: signature + proof", lineCheck, "lines/s")
    }
}
