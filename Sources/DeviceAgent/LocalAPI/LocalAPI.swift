import Foundation
import LineIO
import Protocol

/// The agent's local API: one JSON request per line on a Unix socket readable by the box's own
/// users only (docs/agent.md). `imprimatur-agent tap|logout|status` are its clients; the card
/// reader driver feeds taps the same way.
public enum LocalAPI {
    public static let maximumLineLength = 4096

    public struct Request: Codable, Sendable, Equatable {
        public var op: String
        public var card: String?
        public var user: String?
        public var pin: String?
        /// `usage`: whose jobs, over `[periodStart, periodEnd)` (ms since the epoch); with
        /// `entries` true the answer lists them too (to find the first one that differs).
        public var users: [String]?
        public var periodStart: Int64?
        public var periodEnd: Int64?
        public var entries: Bool?

        /// A tap at the seal (not the copier), for the approved application `application`.
        public var seal: Bool?
        public var application: String?

        /// `flash` and `flash-status`: `copier` or `seal`, and (for `flash`) the image file's path.
        public var device: String?
        public var image: String?

        public init(op: String, card: String? = nil, user: String? = nil, pin: String? = nil,
                    users: [String]? = nil, periodStart: Int64? = nil, periodEnd: Int64? = nil, entries: Bool? = nil,
                    seal: Bool? = nil, application: String? = nil, device: String? = nil, image: String? = nil) {
            self.device = device
            self.image = image
            self.op = op
            self.card = card
            self.user = user
            self.pin = pin
            self.users = users
            self.periodStart = periodStart
            self.periodEnd = periodEnd
            self.entries = entries
            self.seal = seal
            self.application = application
        }

        /// The application a seal tap names, or why it does not name one properly.
        public func sealApplication() throws(LocalAPIError) -> ApplicationID {
            guard let application else { throw .badRequest("a tap at the seal needs the application id (\"application\")") }
            do { return try ApplicationID(application) } catch { throw .badRequest("application: \(error)") }
        }

        /// The credential of a `tap`, or why the request does not name one properly.
        public func credential() throws(LocalAPIError) -> Credential {
            do {
                return try parse()
            } catch let error as LocalAPIError {
                throw error
            } catch {
                throw .badRequest("\(error)")
            }
        }

        private func parse() throws -> Credential {
            switch (card, user, pin) {
            case let (card?, nil, pin): return try .card(card, pin: pin)
            case let (nil, user?, pin?): return try .user(user, pin: pin)
            case (nil, .some, nil): throw LocalAPIError.badRequest("a tap by user id needs a pin")
            case (.some, .some, _): throw LocalAPIError.badRequest("a tap names a card or a user, not both")
            case (nil, nil, _): throw LocalAPIError.badRequest("a tap needs a card (or a user and a pin)")
            }
        }
    }

    public struct Response: Codable, Sendable, Equatable {
        public var ok: Bool
        public var error: String?
        public var unlocked: Bool?
        public var offline: Bool?
        public var pageBudget: UInt32?
        /// A seal tap: the uses the seal was opened for.
        public var uses: UInt16?
        public var message: String?
        public var status: CopierAgent.Status?
        public var usage: UsageAnswer?
        /// `device-keys`: the device id and its public keys (hex), for checking its checkpoints.
        public var device: String?
        public var deviceKeys: [String]?
        public var seal: SealAgent.Status?
        /// `flash`, `flash-status`: where the flash stands.
        public var flash: FirmwareJobs.Report?
        /// `audit-head`: the newest signed audit head of the server kept, as its anchor file.
        public var auditHead: AuditAnchorFile?

        public static func failure(_ text: String) -> Response { Response(ok: false, error: text) }
    }

    /// Answers one request line (pure apart from the agents it calls). A box drives a copier, a
    /// seal, or both; a request for a part it does not drive is refused saying so.
    public static func answer(line: String, agent: CopierAgent?, seal: SealAgent? = nil, firmware: FirmwareJobs? = nil) async -> Response {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: Data(line.utf8))
        } catch {
            return .failure("not a request: \(describe(error))")
        }
        switch request.op {
        case "tap" where request.seal == true:
            guard let seal else { return .failure("this box drives no seal (no [seal] section in its configuration)") }
            do {
                let credential = try request.credential()
                let result = await seal.tap(credential, application: try request.sealApplication())
                return Response(ok: true, unlocked: result.unlocked, uses: result.uses, message: result.message)
            } catch {
                return .failure(error.description)
            }
        case "tap":
            if request.application != nil { return .failure("an application id is for a tap at the seal (add \"seal\": true)") }
            guard let agent else { return .failure("this box drives no copier; a tap at the seal needs \"seal\": true and the application id") }
            do {
                let result = await agent.tap(try request.credential())
                return Response(ok: true, unlocked: result.unlocked, offline: result.offline, pageBudget: result.pageBudget, message: result.message)
            } catch {
                return .failure(error.description)
            }
        case "logout":
            var messages: [String] = []
            if let agent, request.seal != true { messages.append(await agent.logout()) }
            if let seal { messages.append(await seal.logout()) }
            return messages.isEmpty ? .failure("this box drives no seal") : Response(ok: true, message: messages.joined(separator: " "))
        case "status":
            return Response(ok: true, status: await agent?.status(), seal: await seal?.status())
        case "flash", "flash-status":
            return await flashAnswer(request, firmware: firmware)
        case "usage", "device-keys", "audit-head":
            // The copier and the seal of one box share its store.
            guard let store = agent?.store ?? seal?.store else { return .failure("this box drives neither a copier nor a seal") }
            return storeAnswer(request, store: store)
        default:
            return .failure("unknown op \"\(request.op)\" (expected tap, logout, status, usage, device-keys, audit-head, flash or flash-status)")
        }
    }

    /// `flash` starts flashing a device (docs/firmware.md); `flash-status` says how it stands.
    static func flashAnswer(_ request: Request, firmware: FirmwareJobs?) async -> Response {
        guard let firmware else { return .failure("this agent cannot flash firmware") }
        guard let name = request.device, let device = FirmwareTarget(rawValue: name) else {
            return .failure("\(request.op) needs \"device\": \"copier\" or \"seal\"")
        }
        if request.op == "flash-status" {
            guard let report = await firmware.report(device) else { return .failure("no flash to the \(device) since the agent started") }
            return Response(ok: true, flash: report)
        }
        guard let image = request.image, !image.isEmpty else { return .failure("flash needs \"image\": the image file's path") }
        switch await firmware.start(device: device, imagePath: image) {
        case let .success(report): return Response(ok: true, flash: report)
        case let .failure(error): return .failure(error.description)
        }
    }

    /// The requests the store answers alone (bill checks, docs/bills.md).
    public static func storeAnswer(_ request: Request, store: AgentStore) -> Response {
        switch request.op {
        case "usage":
            return usage(request, store: store)
        case "device-keys":
            do {
                let keys = try store.devicePublicKeys()
                return Response(ok: true, device: store.deviceID.value, deviceKeys: keys.map { Hex.encode($0.bytes) })
            } catch {
                return .failure(error.description)
            }
        case "audit-head":
            do {
                guard let signed = try store.auditHead() else { return .failure("no audit head received from the server yet") }
                return Response(ok: true, auditHead: AuditAnchorFile(signed))
            } catch {
                return .failure(error.description)
            }
        default:
            return .failure("unknown op \"\(request.op)\"")
        }
    }

    /// The device's usage hash for a bill check (docs/bills.md): its store re-checked first.
    static func usage(_ request: Request, store: AgentStore) -> Response {
        let selection: UsageSelection
        do {
            guard let users = request.users, let start = request.periodStart, let end = request.periodEnd else {
                throw LocalAPIError.badRequest("usage needs users, periodStart and periodEnd")
            }
            selection = try UsageSelection(users: Set(try users.map { try UserID($0) }), start: Timestamp(millisecondsSinceEpoch: start),
                                           end: Timestamp(millisecondsSinceEpoch: end))
        } catch {
            return .failure("\(error)")
        }
        do {
            let report = try store.usageReport(for: selection)
            var answer = UsageAnswer(device: store.deviceID.value, usageHash: report.usageHash.hex, entryCount: report.entries.count,
                                     treeSize: report.treeSize, root: report.root.hex)
            if case let .altered(sequence, reason) = report.verdict {
                answer.altered = true
                answer.alteredSequence = sequence
                answer.alteredReason = reason
            }
            if request.entries == true { answer.entries = report.entries.map { Hex.encode($0.wireBytes()) } }
            return Response(ok: true, usage: answer)
        } catch {
            return .failure(error.description)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing \"\(key.stringValue)\""
        case let DecodingError.typeMismatch(_, context): return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "\(error)"
        }
    }

    static func encode(_ response: Response) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(response)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"cannot encode the answer"}"#
    }
}

/// The answer to `usage`: whether the device's data was altered, and its usage hash.
public struct UsageAnswer: Codable, Sendable, Equatable {
    public var device: String
    public var altered: Bool = false
    public var alteredSequence: UInt64?
    public var alteredReason: String?
    public var usageHash: String
    public var entryCount: Int
    /// The newest signed checkpoint the data was checked against.
    public var treeSize: UInt64
    public var root: String
    /// The entries' canonical bytes (hex), in sequence order, when asked for.
    public var entries: [String]?
}

public enum LocalAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    case badRequest(String)
    public var description: String {
        switch self {
        case let .badRequest(text): return text
        }
    }
}

/// Serves the local API on a Unix socket. Each connection's thread waits for the agent's answer.
public final class LocalAPIServer: Sendable {
    private let server: LineServer
    public let path: String

    public init(path: String, agent: CopierAgent?, seal: SealAgent? = nil, firmware: FirmwareJobs? = nil) throws(SocketError) {
        self.path = path
        let listener = try LineSocket.listen(unixPath: path)
        server = LineServer(
            name: "agent-api", listener: listener, maximumLineLength: LocalAPI.maximumLineLength,
            tooLong: { LocalAPI.encode(.failure("request longer than \($0) bytes")) },
            handler: { line in
                let box = AnswerBox()
                let done = DispatchSemaphore(value: 0)
                Task {
                    box.set(await LocalAPI.answer(line: line, agent: agent, seal: seal, firmware: firmware))
                    done.signal()
                }
                done.wait()
                return LocalAPI.encode(box.get())
            }
        )
    }

    public func stop() {
        server.stop()
        unlink(path)
    }
}

/// Carries one answer from the agent's task back to the connection's thread.
private final class AnswerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var response = LocalAPI.Response.failure("no answer")
    func set(_ value: LocalAPI.Response) { lock.withLock { response = value } }
    func get() -> LocalAPI.Response { lock.withLock { response } }
}

/// A client of the local API, for the CLI and tests.
public struct LocalAPIClient {
    public let path: String

    public init(path: String) { self.path = path }

    public func send(_ request: LocalAPI.Request, timeout: Duration = .seconds(30)) throws -> LocalAPI.Response {
        let client = LineClient(socket: try LineSocket.connect(unixPath: path), peer: "the agent at \(path)")
        let line = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let answer = try client.exchange(line: line, timeout: timeout)
        return try JSONDecoder().decode(LocalAPI.Response.self, from: Data(answer.utf8))
    }
}
