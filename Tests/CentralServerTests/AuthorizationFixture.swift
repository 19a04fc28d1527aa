import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// A server holding one of everything a route can take an id of, all belonging to (or waiting
/// on) people other than the matrix's callers: user `ana`'s seal application (waiting on
/// approver `appr`), her split job (paid by `pat`), her copy job with a scanned page, her bill,
/// `appr`'s notification; a device, a firmware image and a rollout. Every person has an API
/// token and a web password; the device is enrolled with a one-time token, which is what a
/// device holds besides its key.
struct AuthorizationFixture {
    /// Who calls: nobody, an enrolled device, the payment provider, a person of each role who
    /// takes no part in the fixture's objects, and the object's owner (or party).
    enum Caller: String, CaseIterable, Comparable, CustomStringConvertible {
        case anonymous, device, paymentProvider = "payment-provider", employee, approver, administrator, auditor, owner
        var description: String { rawValue }
        static func < (lhs: Caller, rhs: Caller) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }
        /// The person (user id) behind a role caller; owners depend on the route.
        var person: String? {
            switch self {
            case .employee: "emp"
            case .approver: "apo"
            case .administrator: "adm"
            case .auditor: "aud"
            default: nil
            }
        }
    }

    /// Strings only `ana`'s objects hold: none may reach someone she did not share them with.
    static let anasData = ["Secret-Name-Ana", "dept-ana-secret", "reason-ana-secret", "title-ana-secret", "USER ANA"]

    let server: TestServer
    /// API tokens by user id.
    let tokens: [String: String]
    /// The one-time token the device enrolled with (spent).
    let deviceToken: String
    let application: String
    let splitJob: String
    let notification: Int64
    let bill: String
    let job: String
    let scan: Hash32
    let rollout: UInt64
    let image: UInt64

    static let people: [(id: String, roles: [String], name: String, department: String?)] = [
        ("ana", ["employee"], "Ana Secret-Name-Ana", "dept-ana-secret"), ("emp", ["employee"], "Emp", nil),
        ("apo", ["approver"], "Apo", nil), ("adm", ["administrator"], "Adm", nil), ("aud", ["auditor"], "Aud", nil),
        ("appr", ["approver"], "Appr", nil), ("pat", ["employee"], "Pat", nil),
    ]

    static func password(_ user: String) -> String { "\(user)-password" }

    static func make() async throws -> AuthorizationFixture {
        let server = try TestServer()
        let actor = TestServer.actor
        var tokens: [String: String] = [:]
        for person in people {
            _ = try await server.admin.createUser(.init(id: person.id, name: person.name, department: person.department, roles: person.roles,
                                                        cards: ["card-\(person.id)"], pin: "1234", password: password(person.id)), by: actor)
            tokens[person.id] = try await server.admin.createAPIToken(user: person.id, name: "matrix", by: actor)
        }
        _ = try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: actor)
        _ = try await server.admin.setQuota(user: "ana", limit: 1000, unit: "money", currency: "EUR", adjustment: 0, period: "monthly", by: actor)

        let (deviceToken, _) = try await server.admin.createEnrollmentToken(name: "Copier agent-1", lifetime: 3_600_000, by: actor)
        _ = try await server.services.enrollment.enroll(EnrollmentService.Request(
            token: deviceToken, deviceID: "agent-1", publicKey: Hex.encode(Fixture.deviceKey.publicKey.bytes), model: "sim", firmware: "1.0.0",
            resources: [("copier-1", "copier"), ("seal-1", "seal")]
        ), source: "test")

        let ana = try #require(try await server.store.user(id: Fixture.userID("ana")))
        let application = try await server.services.seals.apply(
            SealService.NewApplication(seal: "seal-1", reason: "reason-ana-secret", uses: 1, photos: 0, approvers: ["appr"], cc: []), by: ana, from: "test"
        )
        let split = try await server.services.splits.create(
            pdf: SamplePDF.make(pages: 2), split: SplitRequest(shares: [SplitShareRequest(payer: "pat", ratio: 100)]),
            title: "title-ana-secret", device: "agent-1", by: ana, from: "test"
        )
        let notification = try #require(try await server.store.inbox(user: Fixture.userID("appr"), unreadOnly: false, limit: 10).first).id

        let (job, scan) = try await copyJobWithAScan(server, user: "ana")
        let (bill, _) = try await server.services.bills.issue(
            BillService.Request(account: "user:ana", start: Fixture.now.adding(milliseconds: -30 * 86_400_000), end: server.clock.now(), currency: "EUR"),
            by: actor
        )
        let image = try await server.services.firmware.upload(try FirmwareAPITests.image(), by: actor)
        let rollout = try await server.services.firmware.startRollout(image: image.id, devices: ["agent-1"], by: actor)
        return AuthorizationFixture(server: server, tokens: tokens, deviceToken: deviceToken, application: application.id.value, splitJob: split.id,
                                    notification: notification, bill: bill.id, job: job, scan: scan, rollout: rollout.id, image: image.id)
    }

    /// One copy job of `user`'s on agent-1 with one scanned page, through the real ingestion.
    static func copyJobWithAScan(_ server: TestServer, user: String) async throws -> (job: String, scan: Hash32) {
        let device = Fixture.deviceID("agent-1")
        let ended = Fixture.now.adding(milliseconds: -60_000)
        let copy = try Event(deviceID: device, sequence: 1, previousHash: .zero, time: ended, body: .copyJob(try CopyJobEvent(
            sessionID: 1, copierJobSequence: 1, userID: Fixture.userID(user), grantID: GrantID(high: 0xa0, low: 1),
            pages: 1, copies: 1, colourPages: 0, monoPages: 1, duplex: false, paperSize: .a4, started: ended.adding(milliseconds: -4000), ended: ended, end: .completed
        )))
        let png = try DemoHistory.scan(user: user, job: 1, page: 1)
        let hash = Hash32.sha256(png)
        let content = try Event(following: copy, time: ended, body: .content(try ContentEvent(
            sessionID: 1, copierJobSequence: 1, pageNumber: 1, blobHash: hash, byteCount: UInt64(png.count), mediaType: try MediaType("image/png")
        )))
        try await server.issueGrants(for: [copy])
        let blobs = try #require(server.services.blobs)
        try await server.store.offerBlob(hash, size: UInt64(png.count), mediaType: try MediaType("image/png"), device: device, at: Fixture.now)
        _ = try blobs.append(hash, offset: 0, data: png, size: UInt64(png.count))
        try await server.store.setBlobProgress(hash, bytesHeld: UInt64(png.count), complete: true)
        let ingestion = IngestionService(store: server.store, blobs: blobs, metrics: server.services.metrics, logger: server.services.logger)
        let batch = try UplinkMessage.EventBatch(firstSequence: 1, events: [copy.wireBytes(), content.wireBytes()])
        guard case .acknowledged = try await ingestion.ingest(batch, device: device, now: Fixture.now) else { throw FixtureFailure("the copy job was refused") }
        // The device's signed checkpoint over both: a bill covers only checkpointed events.
        var tree = MerkleTree()
        for event in [copy, content] { tree.append(leafData: event.wireBytes()) }
        let checkpoint = try SignedCheckpoint(signing: try Checkpoint(deviceID: device, treeSize: tree.size, root: tree.root, time: Fixture.now,
                                                                      keyID: Fixture.deviceKey.keyID), with: Fixture.deviceKey)
        let enrolled = try #require(try await server.store.device(id: device))
        if let problem = try await ingestion.checkpoint(token: checkpoint.wireBytes(), device: enrolled, now: Fixture.now) {
            throw FixtureFailure("the checkpoint was refused: \(problem)")
        }
        let job = try #require(try await server.store.jobs(limit: 10).first { $0.userID.value == user }).id
        return (job, hash)
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Requests

    /// The user `caller` stands for on `operation`: a role's person, or the owner the route names.
    func person(_ caller: Caller, _ operation: AuthorizationTable.Operation) -> String? {
        caller == .owner ? Self.owner(operation) : caller.person
    }

    /// Who owns (or takes part in, as the route needs) the object the route's path names.
    static func owner(_ operation: AuthorizationTable.Operation) -> String? {
        let path = operation.path
        if path.hasPrefix("/api/v1/users/{id}") { return "ana" }
        if path.hasPrefix("/api/v1/seal-applications/{id}/") || path == "/web/applications/{id}/{action}" { return "appr" }
        if path == "/api/v1/seal-applications/{id}" || path == "/web/applications/{id}" { return "ana" }
        if path.hasSuffix("/re-request") { return "ana" }
        if path.hasPrefix("/api/v1/split-jobs/{id}/payers/") || path.hasPrefix("/web/shares/") { return "pat" }
        if path == "/api/v1/split-jobs/{id}" { return "ana" }
        if path.hasPrefix("/api/v1/notifications/{id}") { return "appr" }
        if path == "/web/bills/{id}" { return "ana" }
        return nil
    }

    /// The path with its parameters filled with the fixture's objects, and any query it needs.
    func uri(_ operation: AuthorizationTable.Operation) -> String {
        let path = operation.path
        let id: String
        switch true {
        case path.contains("/users/{id}"): id = "ana"
        case path.hasPrefix("/api/v1/devices/"): id = "agent-1"
        case path.contains("applications/{id}"): id = application
        case path.hasPrefix("/api/v1/split-jobs/"): id = splitJob
        case path.hasPrefix("/api/v1/notifications/"): id = String(notification)
        case path.contains("/rollouts/{id}"): id = String(rollout)
        case path.contains("/bills/{id}"): id = bill
        case path.hasPrefix("/web/audit/jobs/"): id = job
        default: id = "unfilled"
        }
        let action: String
        switch true {
        case path.hasPrefix("/web/applications/"): action = "revoke"
        case path.hasPrefix("/web/shares/"): action = "reject"
        default: action = "disable"
        }
        var uri = path.replacingOccurrences(of: "{id}", with: TableQuery.escape(id)).replacingOccurrences(of: "{number}", with: "card-ana")
            .replacingOccurrences(of: "{payer}", with: "pat").replacingOccurrences(of: "{job}", with: splitJob)
            .replacingOccurrences(of: "{hash}", with: Hex.encode(scan.bytes)).replacingOccurrences(of: "{action}", with: action)
        if path == "/web/blobs/{hash}" { uri += "?job=" + TableQuery.escape(job) }
        return uri
    }

    /// A body that passes the route's checks (or fails only on content), so that a permitted
    /// caller is judged on who it is, not on what it sent.
    func body(_ operation: AuthorizationTable.Operation) throws -> (type: String, bytes: [UInt8], headers: HTTPFields)? {
        func json(_ text: String) -> (String, [UInt8], HTTPFields) { ("application/json", Array(text.utf8), [:]) }
        switch operation.description {
        case "POST /api/v1/enroll": return json("{}")
        case "POST /api/v1/enrollment-tokens": return json(#"{"name": "copier-2"}"#)
        case "POST /api/v1/users": return json(#"{"id": "newbie", "name": "Newbie", "roles": ["employee"]}"#)
        case "PUT /api/v1/users/{id}/pin": return json(#"{"pin": "4321"}"#)
        case "POST /api/v1/users/{id}/cards": return json(#"{"number": "card-new"}"#)
        case "PUT /api/v1/users/{id}/quota": return json(#"{"limit": 10, "unit": "money", "currency": "EUR", "adjustment": 0, "period": "weekly"}"#)
        case "POST /api/v1/prices": return json(#"{"paper": "A4", "colour": true, "price": 5, "currency": "EUR"}"#)
        case "POST /api/v1/seal-applications": return json(#"{"seal": "seal-1", "reason": "r", "uses": 1, "approvers": ["appr"]}"#)
        case "POST /api/v1/seal-applications/{id}/forward": return json(#"{"to": "apo"}"#)
        case let name where name.hasPrefix("POST /api/v1/seal-applications/{id}/"): return json("{}")
        case "POST /api/v1/split-jobs":
            return ("application/pdf", SamplePDF.make(pages: 1),
                    [HTTPField.Name("X-Imprimatur-Split")!: #"{"title": "t", "device": "agent-1", "shares": [{"payer": "emp", "ratio": 100}]}"#])
        case "POST /api/v1/split-jobs/{id}/payers/{payer}/authenticate": return json(#"{"pin": "1234"}"#)
        case "POST /api/v1/firmware/images": return ("application/octet-stream", try FirmwareAPITests.image(version: FirmwareVersion(major: 1, minor: 4, patch: 0)), [:])
        case "POST /api/v1/firmware/rollouts": return json(#"{"image": \#(image), "devices": ["agent-1"]}"#)
        case "POST /api/v1/users/{id}/payments", "POST /api/v1/users/{id}/adjustments": return json(#"{"amount": 5, "currency": "EUR"}"#)
        case "POST /api/v1/payments/webhook": return json(#"{"idempotency_key": "k-1", "user": "ana", "amount": 1, "currency": "EUR"}"#)
        case "POST /api/v1/bills": return json(#"{"account": "user:ana", "start": "2023-10-01"}"#)
        default: return nil
        }
    }

    /// Calls `operation` as `caller` on `client`: the REST API with the caller's API token (a
    /// device with the enrolment token it holds, the payment provider with the webhook's
    /// signature), the web pages in the caller's logged-in browser session.
    /// `malformed`: a REST body that is not JSON at all, in place of the minimal valid one.
    func call(_ operation: AuthorizationTable.Operation, as caller: Caller, _ client: any TestClientProtocol, malformed: Bool = false) async throws -> TestResponse {
        let method = HTTPRequest.Method(rawValue: operation.method)!
        let uri = uri(operation)
        if operation.schemes.contains("session") || operation.path.hasPrefix("/web") || operation.path == "/" {
            let browser = PageSession(client)
            if let person = person(caller, operation) {
                guard try await browser.login(person, Self.password(person)).status == .seeOther else { throw FixtureFailure("\(person) cannot log in") }
                try await browser.get("/web")  // the session's CSRF token
            }
            if operation.description == "POST /web/login" { try await browser.get("/web/login") }
            return method == .get ? try await browser.get(uri) : try await browser.post(uri, [])
        }
        var body = try body(operation)
        if malformed { body = (type: "application/json", bytes: Array(#"{"note": "#.utf8), headers: HTTPFields()) }
        var headers: HTTPFields = [:]
        if let body { headers[.contentType] = body.type }
        for field in body?.headers ?? [:] { headers.append(field) }
        switch caller {
        case .anonymous: break
        case .device: headers[.authorization] = "Bearer \(deviceToken)"
        case .paymentProvider:
            for field in PaymentTests.signed(String(decoding: body?.bytes ?? [], as: UTF8.self), at: server.clock.now().millisecondsSinceEpoch / 1000) {
                headers[field.name] = field.value
            }
        default:
            guard let person = person(caller, operation), let token = tokens[person] else { throw FixtureFailure("no person for \(caller) on \(operation)") }
            headers[.authorization] = "Bearer \(token)"
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0.bytes) })
    }
}
