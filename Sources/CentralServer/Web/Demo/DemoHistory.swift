import Foundation
import Imaging
import Protocol

/// Demo history for `make run` and the browser tests (`imprimatur-server demo seed`): a device
/// "demo-archive" with a copier and a seal, enrolled with its own key like any agent, and weeks
/// of its copy jobs sent through the same ingestion as the uplink (hash-chained events, a
/// device-signed checkpoint, scanned pages as blobs), then a bill, a held split job and a
/// pending seal application made through the services. Nothing here bypasses a check.
public enum DemoHistory {
    public static let deviceID = "demo-archive"
    public static let copier = "demo-copier"
    public static let seal = "demo-seal"

    public struct Summary: Sendable, CustomStringConvertible {
        public var jobs = 0
        public var contentPages = 0
        public var bill: String?
        public var splitJob: String?
        public var application: String?
        public var description: String {
            "demo history: \(jobs) jobs, \(contentPages) scanned pages on \(DemoHistory.deviceID)"
                + (bill.map { ", bill \($0)" } ?? "") + (splitJob.map { ", split job \($0)" } ?? "") + (application.map { ", seal application \($0)" } ?? "")
        }
    }

    static func grantID(_ number: Int) -> GrantID { GrantID(high: 0xd3e0, low: UInt64(number + 1)) }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Seeds `days` days of use ending at the services' clock's now. Refused when the demo
    /// device already exists (run it once per data folder) or there is no employee.
    public static func seed(services: ServerServices, blobs: BlobFiles, days: Int = 60) async throws -> Summary {
        let store = services.store
        let device = try DeviceID(deviceID)
        guard try await store.device(id: device) == nil else { throw Refusal(description: "the demo history is already there (device \(deviceID))") }
        let users = try await store.users().filter { $0.active }
        let employees = users.filter { $0.has(.employee) }.sorted { $0.id.value < $1.id.value }
        guard !employees.isEmpty else { throw Refusal(description: "add employees first (imprimatur-server user add)") }
        let actor = AuditActor.cli("demo")
        let now = services.clock.now()

        let key = SigningKey()
        let (token, _) = try await services.admin.createEnrollmentToken(name: "Demo archive copier", lifetime: 3_600_000, by: actor)
        let enrolled = try await services.enrollment.enroll(EnrollmentService.Request(
            token: token, deviceID: deviceID, publicKey: Hex.encode(key.publicKey.bytes), model: "IMP-SIM-C1", firmware: "1.4.2",
            resources: [(copier, "copier"), (seal, "seal")]
        ), source: "demo").device

        // Jobs: a deterministic mix per user and day, oldest first, with the newest three
        // carrying their scanned pages (SPEC A5).
        var generator = DemoRandom(seed: 42)
        var plans: [(ended: Timestamp, user: UserID, pages: UInt32, copies: UInt32, colour: Bool)] = []
        for day in stride(from: days - 1, through: 0, by: -1) {
            for (index, user) in employees.enumerated() {
                let count = Int(generator.next() % UInt64(2 + index % 3))
                for job in 0..<count {
                    let minutes = Int64(8 * 60 + Int(generator.next() % 540) + job)
                    let ended = now.millisecondsSinceEpoch - Int64(day) * 86_400_000 - (now.millisecondsSinceEpoch % 86_400_000) + minutes * 60_000
                    guard ended < now.millisecondsSinceEpoch - 60_000 else { continue }
                    let copies = UInt32(1 + generator.next() % 3)
                    let sides = UInt32(1 + generator.next() % 8)
                    plans.append((Timestamp(millisecondsSinceEpoch: ended), user.id, sides * copies, copies, generator.next() % 4 == 0))
                }
            }
        }
        plans.sort { $0.ended.millisecondsSinceEpoch < $1.ended.millisecondsSinceEpoch }
        // Each job's session opened under a copier grant the server issued (the ingestion
        // charges no job under any other, issue 21): recorded as GrantService records the
        // grants it signs, at the time the session would have asked.
        let keyID = try services.grants.keyRing.keys().current.keyID
        let copierID = try ResourceID(copier)
        try await store.recordIssuedGrants(plans.enumerated().map { number, plan in
            let asked = plan.ended.adding(milliseconds: -Int64(plan.pages) * 4000 - 10_000)
            return IssuedGrant(
                grantID: Self.grantID(number), kind: .access, keyID: keyID, userID: plan.user, deviceID: device, resourceID: copierID,
                issuedAt: asked, expires: plan.ended.adding(milliseconds: 300_000),
                allowance: .copier(pages: plan.pages, copies: plan.copies, colourAllowed: plan.colour), available: nil
            )
        })
        var events: [Event] = []
        var scans: [(hash: Hash32, bytes: [UInt8])] = []
        var summary = Summary()
        func append(_ body: EventBody, at time: Timestamp) throws {
            let event = try events.last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body)
            events.append(event)
        }
        for (number, plan) in plans.enumerated() {
            let session = UInt64(1000 + number)
            let started = plan.ended.adding(milliseconds: -Int64(plan.pages) * 4000)
            let colourPages = plan.colour ? plan.pages : 0
            try append(.copyJob(try CopyJobEvent(
                sessionID: session, copierJobSequence: UInt32(number + 1), userID: plan.user, grantID: Self.grantID(number),
                pages: plan.pages, copies: plan.copies, colourPages: colourPages, monoPages: plan.pages - colourPages, duplex: false,
                paperSize: .a4, started: started, ended: plan.ended, end: .completed
            )), at: plan.ended)
            summary.jobs += 1
            guard number >= plans.count - 3 else { continue }
            for page in 1...2 {
                let png = try scan(user: plan.user.value, job: number + 1, page: page)
                let hash = Hash32.sha256(png)
                scans.append((hash, png))
                try append(.content(try ContentEvent(
                    sessionID: session, copierJobSequence: UInt32(number + 1), pageNumber: UInt32(page), blobHash: hash,
                    byteCount: UInt64(png.count), mediaType: try MediaType("image/png")
                )), at: plan.ended)
                summary.contentPages += 1
            }
        }
        if let last = events.last {
            try append(.fault(try FaultEvent(component: "copier", code: 17, message: "toner low (demo)")), at: last.time.adding(milliseconds: 1000))
        }

        let ingestion = IngestionService(store: store, blobs: blobs, metrics: services.metrics, logger: services.logger)
        for (hash, bytes) in scans {
            try await store.offerBlob(hash, size: UInt64(bytes.count), mediaType: try MediaType("image/png"), device: device, at: now)
            do { _ = try blobs.append(hash, offset: 0, data: bytes, size: UInt64(bytes.count)) } catch { throw Refusal(description: "cannot store a demo scan: \(error)") }
            try await store.setBlobProgress(hash, bytesHeld: UInt64(bytes.count), complete: true)
        }
        var tree = MerkleTree()
        var index = 0
        while index < events.count {
            let chunk = Array(events[index..<min(events.count, index + 200)])
            let batch = try UplinkMessage.EventBatch(firstSequence: chunk[0].sequence, events: chunk.map { $0.wireBytes() })
            guard case .acknowledged = try await ingestion.ingest(batch, device: device, now: now) else {
                throw Refusal(description: "the server refused the demo events at \(chunk[0].sequence)")
            }
            for event in chunk { tree.append(leafData: event.wireBytes()) }
            index += chunk.count
        }
        let checkpoint = try SignedCheckpoint(signing: try Checkpoint(deviceID: device, treeSize: tree.size, root: tree.root, time: now, keyID: key.keyID), with: key)
        if let problem = try await ingestion.checkpoint(token: checkpoint.wireBytes(), device: enrolled, now: now) {
            throw Refusal(description: "the demo checkpoint was refused: \(problem)")
        }
        try await store.recordDeviceSeen(device, at: now.adding(milliseconds: -2 * 3_600_000))

        // A bill for the first employee's last 30 days, checkable against the events above.
        let account = employees.first { $0.id.value == "alice" } ?? employees[0]
        let (bill, _) = try await services.bills.issue(
            BillService.Request(account: "user:\(account.id)", start: now.adding(milliseconds: -30 * 86_400_000), end: now, currency: "EUR"), by: actor
        )
        summary.bill = bill.id

        // A held print job split between two employees, waiting on both (SPEC D).
        if employees.count >= 2 {
            let requester = employees.first { $0.id.value == "bob" } ?? employees[1]
            let other = account.id == requester.id ? employees[0] : account
            let split = try await services.splits.create(
                pdf: DemoPDF.make(pages: 4), split: SplitRequest(shares: [SplitShareRequest(payer: requester.id.value, ratio: 50), SplitShareRequest(payer: other.id.value, ratio: 50)]),
                title: "Quarterly report (demo)", device: deviceID, by: requester, from: "demo"
            )
            summary.splitJob = split.id
        }

        // A seal application waiting on an approver.
        if let approver = users.first(where: { $0.has(.approver) && $0.id != account.id }) {
            let application = try await services.seals.apply(SealService.NewApplication(
                seal: seal, reason: "Sign the supplier contract (demo)", uses: 2, photos: 1, approvers: [approver.id.value], cc: []
            ), by: account, from: "demo")
            summary.application = application.id.value
        }
        return summary
    }

    /// A scanned page: a white sheet with a frame and who copied it.
    static func scan(user: String, job: Int, page: Int) throws -> [UInt8] {
        var image = GrayImage(width: 248, height: 350)
        image.frame(x: 8, y: 8, width: 232, height: 334, thickness: 2)
        BitmapFont.draw("DEMO SCAN", into: &image, x: 24, y: 30, scale: 2)
        BitmapFont.draw("USER \(user.uppercased())", into: &image, x: 24, y: 70, scale: 1)
        BitmapFont.draw("JOB \(job) PAGE \(page)", into: &image, x: 24, y: 90, scale: 1)
        for line in 0..<12 { image.fill(x: 24, y: 130 + line * 16, width: 120 + (line * 37) % 80, height: 4, value: 90) }
        do { return try PNGEncoder.encode(image) } catch { throw Refusal(description: "cannot make a demo scan: \(error)") }
    }
}

/// A small deterministic generator (SplitMix64), so every demo has the same history shape.
struct DemoRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A small valid PDF (A4 pages saying "Page N"), for the demo's held print job.
enum DemoPDF {
    static func make(pages: Int) -> [UInt8] {
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
        objects.append("<< /Type /Pages /Kids [\((0..<pages).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " "))] /Count \(pages) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for page in 1...pages {
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(4 + 2 * (page - 1) + 1) 0 R >>")
            let stream = "BT /F1 48 Tf 100 700 Td (Report page \(page)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }
        var out = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(repeating: "0", count: 10 - String(offset).count) + String(offset) + " 00000 n \n" }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }
}
