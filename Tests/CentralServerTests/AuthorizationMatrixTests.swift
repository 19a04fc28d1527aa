import Foundation
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
@testable import CentralServer

/// Issue 14: every operation of the document, called as nobody, as an enrolled device, as the
/// payment provider, as a person of each role, and as the owner of the object it names,
/// against the table the document declares (`x-roles`, AuthorizationTable).
///
/// What a refusal looks like, the same on every route:
/// - a caller without the operation's credential (no API token, no session, no signature; a
///   device's enrolment token is not an API token): 401 on the REST API, and on the web pages a
///   303 to /web/login (their way of asking for a login);
/// - a person whose role the operation does not list: 403;
/// - on a route that names someone's object (`owner` in x-roles): 403, or 404 where the design
///   hides whether the object exists (seal applications, split jobs, notifications: "not found"
///   for "not yours", so ids cannot be probed); on a web form, the page's "Not done: why" (a 303
///   back to the page, nothing changed).
/// A permitted caller gets none of those (nor a 5xx); a 400, 404 or 409 about the request's
/// content or the object's state is fine: the body may be minimal, the object in another state.
@Suite("Authorization matrix: every route as every caller")
struct AuthorizationMatrixTests {
    typealias Caller = AuthorizationFixture.Caller
    typealias Operation = AuthorizationTable.Operation

    /// What a response says about authorization.
    enum Outcome: Equatable, CustomStringConvertible {
        case unauthenticated, forbidden, notFound
        /// A web form's action refused by the workflow: a 303 back to the page saying "Not done: why".
        case notDone
        case passed(Int)

        init(_ response: TestResponse) {
            switch response.status.code {
            case 401: self = .unauthenticated
            // The login page with the page asked for (`next`); a logout's own redirect to it has none.
            case 303 where response.headers[.location]?.hasPrefix("/web/login?next=") == true: self = .unauthenticated
            case 303 where Self.notice(response)?.hasPrefix("Not done") == true: self = .notDone
            case 403: self = .forbidden
            case 404: self = .notFound
            case let code: self = .passed(code)
            }
        }

        /// The notice a form's redirect carries (WebNotice's cookie: hex of the text, a dot, its MAC).
        static func notice(_ response: TestResponse) -> String? {
            guard let cookie = response.headers[values: .setCookie].first(where: { $0.hasPrefix(WebNotice.cookieName + "=") }),
                  let hex = cookie.dropFirst(WebNotice.cookieName.count + 1).split(separator: ".").first,
                  let text = Hex.decode(String(hex))
            else { return nil }
            return String(decoding: text, as: UTF8.self)
        }

        var description: String {
            switch self {
            case .unauthenticated: "401"
            case .forbidden: "403"
            case .notFound: "404"
            case .notDone: "303 not done"
            case let .passed(code): "\(code)"
            }
        }
    }

    static let table = AuthorizationTable(OpenAPIDocument.yaml)

    static func callers(_ operation: Operation) -> [Caller] {
        Caller.allCases.filter { $0 != .owner || operation.objectScoped }
    }

    static func permitted(_ operation: Operation, _ caller: Caller) -> Bool {
        operation.isOpen || operation.roles?.contains(caller.rawValue) == true
    }

    /// Whether `caller` can present the credential the operation asks for at all.
    static func hasCredential(_ operation: Operation, _ caller: Caller) -> Bool {
        switch caller {
        case .anonymous, .device: false
        case .paymentProvider: operation.schemes.contains("paymentSignature")
        default: operation.schemes.contains("bearer") || operation.schemes.contains("session")
        }
    }

    /// nil when `outcome` is what the table says `caller` should get; else what it should have got.
    static func mismatch(_ operation: Operation, _ caller: Caller, _ outcome: Outcome) -> String? {
        if permitted(operation, caller) {
            if case let .passed(code) = outcome, code < 500 { return nil }
            if outcome == .notFound || outcome == .notDone { return nil }
            return "allowed"
        }
        if !hasCredential(operation, caller) { return outcome == .unauthenticated ? nil : "401" }
        if outcome == .forbidden || (operation.objectScoped && (outcome == .notFound || outcome == .notDone)) { return nil }
        return operation.objectScoped ? "403|404" : "403"
    }

    /// The cells that differ, as a compact matrix: a row per operation, `want→got` per caller.
    static func matrix(_ cells: [(operation: Operation, caller: Caller, want: String, got: Outcome)]) -> String {
        let columns = Caller.allCases
        var lines = ["operation".padding(toLength: 56, withPad: " ", startingAt: 0) + columns.map { $0.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0) }.joined()]
        var rows: [String: [Caller: String]] = [:]
        for cell in cells { rows[cell.operation.description, default: [:]][cell.caller] = "\(cell.want)→\(cell.got)" }
        for (name, row) in rows.sorted(by: { $0.key < $1.key }) {
            lines.append(name.padding(toLength: 56, withPad: " ", startingAt: 0) + columns.map { (row[$0] ?? ".").padding(toLength: 17, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// Runs `operation` as each of `callers`; a call that may change something is made on a
    /// fixture of its own, so that no caller's success changes what the next one meets.
    static func outcomes(_ operation: Operation, _ callers: [Caller]) async throws -> [(Caller, Outcome, String)] {
        let refused = callers.filter { !permitted(operation, $0) || operation.method == "GET" }
        let shared = try await AuthorizationFixture.make()
        var results = try await shared.server.http { client async throws in
            var results: [(Caller, Outcome, String)] = []
            for caller in refused {
                let response = try await shared.call(operation, as: caller, client)
                results.append((caller, Outcome(response), response.text))
            }
            return results
        }
        for caller in callers where !refused.contains(caller) {
            let fixture = try await AuthorizationFixture.make()
            results += try await fixture.server.http { client async throws in
                let response = try await fixture.call(operation, as: caller, client)
                return [(caller, Outcome(response), response.text)]
            }
        }
        return results
    }

    @Test func everyOperationAnswersEachCallerAsTheTableSays() async throws {
        let operations = Self.table.operations
        #expect(operations.count > 80)
        var differing: [(operation: Operation, caller: Caller, want: String, got: Outcome)] = []
        for operation in operations {
            if operation.objectScoped { #expect(AuthorizationFixture.owner(operation) != nil, "\(operation): who owns its object?") }
            for (caller, outcome, _) in try await Self.outcomes(operation, Self.callers(operation)) {
                if let want = Self.mismatch(operation, caller, outcome) { differing.append((operation, caller, want, outcome)) }
            }
        }
        #expect(differing.isEmpty, "\(differing.count) cells differ from the document's x-roles (want→got):\n\(Self.matrix(differing))")
    }

    /// Who the caller is is settled before what it sent is read: a caller the table refuses gets
    /// its 401 or 403 for a body that is not even JSON, not a 400 that tells it which input
    /// checks it passed (or lets it have the server parse 64 KiB unasked).
    @Test func aRefusedCallerIsRefusedBeforeItsBodyIsRead() async throws {
        let fixture = try await AuthorizationFixture.make()
        let writes = Self.table.operations.filter { $0.method != "GET" && !$0.path.hasPrefix("/web") && $0.path != "/" && !$0.isOpen }
        #expect(writes.count >= 25)
        let differing = try await fixture.server.http { client async throws in
            var differing: [(operation: Operation, caller: Caller, want: String, got: Outcome)] = []
            for operation in writes {
                // A person refused on a route naming someone's object is refused by the object's
                // check, which may well read the body first (what to do is in it): not asked here.
                for caller in Self.callers(operation) where !Self.permitted(operation, caller) && !(operation.objectScoped && caller.person != nil) {
                    let outcome = Outcome(try await fixture.call(operation, as: caller, client, malformed: true))
                    if let want = Self.mismatch(operation, caller, outcome) { differing.append((operation, caller, want, outcome)) }
                }
            }
            return differing
        }
        #expect(differing.isEmpty, "\(differing.count) refusals came after the body was read (want→got):\n\(Self.matrix(differing))")
    }

    /// Issue 14: user A's ids with another employee's credentials, on every route that takes an
    /// id: refused, and nothing of A's in the answer; and the lists that employee may read hold
    /// nothing of A's either.
    @Test func anotherEmployeeGetsNothingOfAnasThroughAnyId() async throws {
        let fixture = try await AuthorizationFixture.make()
        let withIDs = Self.table.operations.filter { $0.path.contains("{") }
        let lists = Self.table.operations.filter { !$0.path.contains("{") && $0.method == "GET" && Self.permitted($0, .employee) }
        #expect(withIDs.count >= 25 && lists.count >= 8)
        let problems = try await fixture.server.http { client async throws in
            var problems: [String] = []
            for operation in withIDs + lists {
                let response = try await fixture.call(operation, as: .employee, client)
                let outcome = Outcome(response)
                if withIDs.contains(operation), outcome != .forbidden, outcome != .notFound, outcome != .notDone {
                    problems.append("\(operation) \(fixture.uri(operation)): \(outcome), not refused")
                }
                if response.headers[.contentType]?.hasPrefix("image/") == true { problems.append("\(operation): sent a picture") }
                for secret in AuthorizationFixture.anasData where response.text.contains(secret) {
                    problems.append("\(operation) \(fixture.uri(operation)): the answer holds ana's \"\(secret)\"")
                }
            }
            // The fixture's objects are there: their owners and the auditor do get them.
            for (uri, token) in [("/api/v1/seal-applications/\(fixture.application)", "ana"), ("/api/v1/split-jobs/\(fixture.splitJob)", "ana"),
                                 ("/api/v1/bills/\(fixture.bill)", "aud"), ("/api/v1/users/ana/ledger", "ana")] {
                let response = try await client.call(.get, uri, token: fixture.tokens[token])
                if response.status != .ok { problems.append("\(uri) as \(token): \(response.status)") }
                // ...and what they get holds the strings looked for above.
                if !uri.contains("bills"), !uri.contains("ledger"), !AuthorizationFixture.anasData.contains(where: response.text.contains) {
                    problems.append("\(uri) as \(token): none of ana's strings in \(response.text.prefix(300))")
                }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
