import Foundation
import Hummingbird
import Protocol

/// The seal application routes (SPEC E1, E2, E6, E7, E8): employees apply and follow their own
/// applications, approvers act on those waiting on them, auditors read all, administrators and
/// the application's approvers revoke. The workflow itself decides who may do what.
extension Handlers {
    @Sendable func applyForSeal(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, [.employee])
        var body = try await Self.body(request, context)
        let new = SealService.NewApplication(
            seal: try body.string("seal"), reason: try body.string("reason"), uses: try body.integer("uses"),
            photos: try body.optionalInteger("photos") ?? 0,
            approvers: try body.optionalStrings("approvers", limit: SealWorkflow.maximumLevels) ?? [],
            cc: try body.optionalStrings("cc", limit: SealWorkflow.maximumCC) ?? []
        )
        try body.finish()
        let application = try await services.seals.apply(new, by: caller, from: context.peer)
        return JSONResponse.make(DTO.SealApplicationBody(application), status: .created)
    }

    /// `?view=involved` (default: the caller is applicant, approver or CC), `mine`, `waiting`
    /// (waiting on the caller), `all` (auditor or administrator).
    @Sendable func listSealApplications(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        let view = try Self.query(request, "view") ?? "involved"
        let all = try await services.store.sealApplications()
        let chosen: [SealApplication]
        switch view {
        case "involved": chosen = all.filter { $0.participants.contains(caller.id) }
        case "mine": chosen = all.filter { $0.applicant == caller.id }
        case "waiting": chosen = all.filter { $0.waitingOn == caller.id }
        case "all":
            guard caller.has(.auditor) || caller.has(.administrator) else { throw APIError(.forbidden, "view=all needs the role administrator or auditor") }
            chosen = all
        default: throw InputError(field: "view", "must be involved, mine, waiting or all, got \"\(view)\"")
        }
        return JSONResponse.make(DTO.List(items: chosen.prefix(try Self.limit(request)).map { DTO.SealApplicationBody($0) }))
    }

    @Sendable func getSealApplication(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        let (application, steps, uses) = try await services.seals.detail(try Self.applicationID(context), for: caller)
        return JSONResponse.make(DTO.SealApplicationBody(application, timeline: steps, records: uses))
    }

    @Sendable func approveSealApplication(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        var body = try await Self.optionalBody(request, context)
        let note = try body.optionalString("note")
        try body.finish()
        return try await act(.approve(note: note), caller, context)
    }

    @Sendable func forwardSealApplication(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        var body = try await Self.optionalBody(request, context)
        let to = try body.string("to")
        let note = try body.optionalString("note")
        try body.finish()
        var target: User?
        if let id = try? UserID(to) { target = try await services.store.user(id: id) }
        return try await act(.forward(to: to, user: target, note: note), caller, context)
    }

    @Sendable func rejectSealApplication(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        var body = try await Self.optionalBody(request, context)
        let note = try body.optionalString("note")
        try body.finish()
        return try await act(.reject(note: note), caller, context)
    }

    @Sendable func revokeSealApplication(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        var body = try await Self.optionalBody(request, context)
        let note = try body.optionalString("note")
        try body.finish()
        return try await act(.revoke(note: note), caller, context)
    }

    /// `caller` was authenticated before the body was read: a stranger learns nothing from the input checks.
    private func act(_ command: SealWorkflow.Command, _ caller: User, _ context: ServerRequestContext) async throws -> Response {
        let application = try await services.seals.act(command, on: try Self.applicationID(context), by: caller, from: context.peer)
        return JSONResponse.make(DTO.SealApplicationBody(application))
    }

    // MARK: Records and reports

    /// Seal records (E8) by `seal`, `user`, `application` and time `from`/`to` (dates or ISO times, UTC).
    @Sendable func listSealRecords(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        var filter = try Self.sealFilter(request)
        filter.limit = try Self.limit(request)
        return JSONResponse.make(DTO.List(items: try await services.store.sealUses(filter).map(DTO.SealUseBody.init)))
    }

    /// `?period=weekly|monthly&at=YYYY-MM-DD&format=csv|html`, optionally filtered by seal and user.
    @Sendable func sealReport(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let kind: QuotaPeriodKind
        switch try Self.query(request, "period") ?? "monthly" {
        case "weekly": kind = .weekly
        case "monthly": kind = .monthly
        case let other: throw InputError(field: "period", "must be weekly or monthly, got \"\(other)\"")
        }
        let at = try Self.query(request, "at").map { text throws(InputError) in try Self.moment(text, field: "at") } ?? services.clock.now()
        let period = SealReport.period(kind, containing: at)
        var filter = try Self.sealFilter(request)
        filter.from = period.start
        filter.to = period.end
        let records = try await services.store.sealUses(filter)
        let stem = "seal-\(kind.rawValue)-\(TimeText.iso8601(period.start).prefix(10))"
        switch try Self.query(request, "format") ?? "csv" {
        case "csv":
            var response = JSONResponse.text(SealReport.csv(records), contentType: "text/csv; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"\(stem).csv\""
            return response
        case "html":
            return JSONResponse.text(SealReport.html(records, kind: kind, period: period), contentType: "text/html; charset=utf-8")
        case let other:
            throw InputError(field: "format", "must be csv or html, got \"\(other)\"")
        }
    }

    // MARK: Inbox

    @Sendable func listNotifications(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        let unread: Bool
        switch try Self.query(request, "unread") {
        case nil, "false": unread = false
        case "true": unread = true
        case let other?: throw InputError(field: "unread", "must be true or false, got \"\(other)\"")
        }
        let items = try await services.store.inbox(user: caller.id, unreadOnly: unread, limit: try Self.limit(request))
        return JSONResponse.make(DTO.List(items: items.map(DTO.InboxBody.init)))
    }

    @Sendable func markNotificationRead(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw InputError(field: "id", "must be a notification number") }
        try await Self.emptyBody(request, context)
        do {
            try await services.store.markRead(id, user: caller.id, at: services.clock.now())
        } catch StoreError.notFound {
            throw APIError(.notFound, "notification \(id) not found")
        }
        return JSONResponse.make(["id": id])
    }

    // MARK: Input

    static func applicationID(_ context: ServerRequestContext) throws -> ApplicationID {
        let text = try pathParameter(context, "id")
        do { return try ApplicationID(text) } catch { throw InputError(field: "id", "\(error)") }
    }

    /// The body as an object; an empty body is an empty object.
    static func optionalBody(_ request: Request, _ context: ServerRequestContext) async throws -> JSONObjectReader {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return try JSONObjectReader(body: Array("{}".utf8)) }
        return try JSONObjectReader(body: bytes)
    }

    static func sealFilter(_ request: Request) throws -> SealUseFilter {
        var filter = SealUseFilter()
        if let seal = try query(request, "seal") {
            do { filter.seal = try ResourceID(seal) } catch { throw InputError(field: "seal", "\(error)") }
        }
        if let user = try query(request, "user") { filter.user = try InputRules.userID(user, field: "user") }
        if let application = try query(request, "application") {
            do { filter.application = try ApplicationID(application) } catch { throw InputError(field: "application", "\(error)") }
        }
        filter.from = try query(request, "from").map { text throws(InputError) in try moment(text, field: "from") }
        filter.to = try query(request, "to").map { text throws(InputError) in try moment(text, field: "to") }
        return filter
    }

    /// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
    static func moment(_ text: String, field: String) throws(InputError) -> Timestamp {
        let bad = InputError(field: field, "must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ (UTC), got \"\(text)\"")
        let parts = Array(text.utf8)
        guard parts.count == 10 || parts.count == 20 else { throw bad }
        func number(_ range: Range<Int>) throws(InputError) -> Int64 {
            guard let value = Int64(String(decoding: parts[range], as: UTF8.self)), parts[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw bad }
            return value
        }
        guard parts[4] == UInt8(ascii: "-"), parts[7] == UInt8(ascii: "-") else { throw bad }
        let (year, month, day) = (try number(0..<4), try number(5..<7), try number(8..<10))
        guard (1...12).contains(month), (1...31).contains(day) else { throw bad }
        let days = CivilDate.days(year: year, month: month, day: day)
        guard CivilDate.civil(fromDays: days) == (year, month, day) else { throw bad }
        var seconds = days * 86_400
        if parts.count == 20 {
            guard parts[10] == UInt8(ascii: "T"), parts[13] == UInt8(ascii: ":"), parts[16] == UInt8(ascii: ":"), parts[19] == UInt8(ascii: "Z") else { throw bad }
            let (hour, minute, second) = (try number(11..<13), try number(14..<16), try number(17..<19))
            guard hour < 24, minute < 60, second < 60 else { throw bad }
            seconds += hour * 3600 + minute * 60 + second
        }
        return Timestamp(millisecondsSinceEpoch: seconds * 1000)
    }
}
