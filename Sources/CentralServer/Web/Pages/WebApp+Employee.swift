import Foundation
import Hummingbird
import Protocol

/// The employee's pages (issue 7): own use and balance, own seal applications (apply, follow),
/// own split shares (authenticate with the PIN, approve or reject), own bills.
extension WebApp {
    @Sendable func myUse(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee])
        let jobs = try await store.jobs(limit: 100_000).filter { $0.userID == caller.user.id }
        let table = Self.jobTable(jobs, linkContent: false)
        if let csv = csvIfAsked(table, request, filename: "my-jobs") { return csv }
        var data: [String: Any] = ["table": tableContext(table, request)]
        data["balance"] = try await balanceContext(caller.user.id)
        return try page("me", caller, request, title: "My use", data)
    }

    /// The quota and what is left of it, for a page; nil when the user has no quota.
    func balanceContext(_ id: UserID) async throws -> [String: Any]? {
        guard let state = try await services.grants.quotaState(userID: id, now: services.clock.now()) else { return nil }
        let percent = state.secondLimit > 0 ? min(100, Int(state.used * 100 / state.secondLimit)) : 100
        return [
            "limit": WebFormat.amount(state.firstLimit, state.unit), "adjustment": WebFormat.amount(state.adjustment, state.unit),
            "second": WebFormat.amount(state.secondLimit, state.unit), "used": WebFormat.amount(state.used, state.unit),
            "remaining": WebFormat.amount(state.remaining, state.unit), "paid": WebFormat.amount(state.paid, state.unit),
            "percent": percent, "period": "\(WebFormat.time(state.period.start)) to \(WebFormat.time(state.period.end))",
            "near": percent >= 80,
        ]
    }

    static func jobTable(_ jobs: [JobRecord], linkContent: Bool) -> WebTable {
        WebTable(
            columns: [
                .init("id", "Job"), .init("ended", "Ended"), .init("user", "User"), .init("device", "Device"), .init("paper", "Paper"),
                .init("colour", "Colour"), .init("pages", "Pages", numeric: true), .init("copies", "Copies", numeric: true),
            ],
            rows: jobs.map { job in
                WebTable.Row(
                    [job.id, WebFormat.time(job.ended), job.userID.value, job.deviceID.value, "\(job.paperSize)", job.colour ? "colour" : "mono", "\(job.pages)", "\(job.copies)"],
                    link: linkContent ? "/web/audit/jobs/\(TableQuery.escape(job.id))" : nil
                )
            }
        )
    }

    // MARK: Seal applications

    @Sendable func applications(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee])
        let mine = try await store.sealApplications().filter { $0.applicant == caller.user.id }
        let table = Self.applicationTable(mine)
        if let csv = csvIfAsked(table, request, filename: "my-seal-applications") { return csv }
        let seals = try await store.devices().flatMap { device in device.resources.filter { $0.type == .seal }.map { ["id": $0.id.value, "device": device.name] } }
        let approvers = try await store.users().filter { $0.has(.approver) && $0.active && $0.id != caller.user.id }.map { ["id": $0.id.value, "name": $0.name] }
        return try page("applications", caller, request, title: "Seal applications", [
            "table": tableContext(table, request), "seals": seals, "approvers": approvers, "noSeal": seals.isEmpty,
        ])
    }

    static func applicationTable(_ applications: [SealApplication]) -> WebTable {
        WebTable(
            columns: [
                .init("id", "Application"), .init("submitted", "Submitted"), .init("applicant", "Applicant"), .init("seal", "Seal"),
                .init("reason", "Reason"), .init("status", "Status"), .init("waiting", "Waiting on"),
                .init("uses", "Uses", numeric: true), .init("made", "Made", numeric: true),
            ],
            rows: applications.map { a in
                WebTable.Row(
                    [a.id.value, WebFormat.time(a.submitted), a.applicant.value, a.seal.value, a.reason, Self.statusText(a), a.waitingOn?.value ?? "",
                     "\(a.uses)", "\(a.usesMade)"],
                    link: "/web/applications/\(a.id.value)"
                )
            }
        )
    }

    static func statusText(_ application: SealApplication) -> String {
        if case let .pending(level) = application.status { return "pending (level \(level + 1) of \(application.approvers.count))" }
        return application.status.name
    }

    @Sendable func apply(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee])
        let form = try await form(request, context, caller)
        let approvers = (form["approvers"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map { "\($0)" }
        let cc = (form["cc"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map { "\($0)" }
        let new = SealService.NewApplication(
            seal: try form.require("seal"), reason: try form.require("reason"), uses: try form.integer("uses"),
            photos: form["photos"].flatMap { Int64($0) } ?? 0, approvers: approvers, cc: cc
        )
        do {
            let application = try await services.seals.apply(new, by: caller.user, from: context.peer)
            return done("/web/applications/\(application.id.value)", notice: "Application \(application.id.value) sent to \(application.waitingOn?.value ?? "its approver").", for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/applications", notice: "Not sent: \(WebError.refusal(error)!.message)", for: caller)
        }
    }

    /// An application's record (E6): its timeline and its uses with their photos and place, for
    /// its people, auditors and administrators; the approver waiting on it gets the actions.
    @Sendable func application(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request)
        let id: ApplicationID
        do { id = try ApplicationID(try context.parameters.require("id")) } catch { throw WebError.notFound("seal application") }
        let (application, steps, uses) = try await services.seals.detail(id, for: caller.user)
        let isApprover = application.approvers.contains(caller.user.id) || caller.user.has(.administrator)
        let data: [String: Any] = [
            "id": application.id.value, "applicant": application.applicant.value, "seal": application.seal.value, "reason": application.reason,
            "status": Self.statusText(application), "uses": application.uses, "usesMade": application.usesMade, "usesRemaining": application.usesRemaining,
            "photos": application.photos, "approvers": application.approvers.map(\.value).joined(separator: " → "),
            "cc": application.cc.map(\.value).joined(separator: ", "),
            "steps": steps.map { step -> [String: Any] in
                ["at": WebFormat.time(step.at), "actor": step.actor, "action": step.action.name, "note": step.note as Any]
            },
            "records": uses.map { use -> [String: Any] in
                [
                    "at": WebFormat.time(use.at), "user": use.userID.value, "device": use.deviceID.value, "place": use.location.placeName,
                    "number": use.useNumber.map { "\($0)" } ?? "", "remaining": use.usesRemaining.map { "\($0)" } ?? "",
                    "flagged": use.flagged as Any,
                    "photos": use.photos.map { ["src": "/web/blobs/\($0.hex)?application=\(application.id.value)"] },
                ]
            },
            "noRecords": uses.isEmpty,
            "canDecide": application.waitingOn == caller.user.id,
            "canRevoke": isApprover && application.status == .approved,
        ]
        return try page("application", caller, request, title: "Seal application \(application.id.value)", data)
    }

    // MARK: Split shares

    @Sendable func shares(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee])
        let jobs = try await store.splitJobs(involving: caller.user.id, limit: 1000)
        var rows: [[String: Any]] = []
        for job in jobs {
            for part in job.parts {
                for payer in part.payers where payer.payer == caller.user.id {
                    rows.append([
                        "job": job.id, "title": job.title, "requester": job.requester.value, "part": part.index + 1, "pages": "\(part.pages)",
                        "copies": part.copies, "percent": payer.percent, "state": payer.state.rawValue, "deadline": WebFormat.time(job.deadline),
                        "amount": payer.amount.map { WebFormat.money($0, payer.currency?.code) } as Any,
                        "needsPIN": payer.state == .requesting, "canAnswer": payer.state == .authenticated, "payer": payer.payer.value,
                    ])
                }
            }
        }
        return try page("shares", caller, request, title: "Split shares", ["shares": rows, "none": rows.isEmpty])
    }

    @Sendable func actOnShare(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee])
        let form = try await form(request, context, caller)
        let job = try context.parameters.require("job")
        let payer = try context.parameters.require("payer")
        let event: SplitConsentEvent
        switch try context.parameters.require("action") {
        case "authenticate": event = .authenticate
        case "approve": event = .approve
        case "reject": event = .reject
        case let other: throw WebError.notFound("the action \(other)")
        }
        do {
            _ = try await services.splits.act(event, job: job, payer: payer, pin: form.pairs.first { $0.0 == "pin" }?.1, by: caller.user, from: context.peer)
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/shares", notice: "Not done: \(WebError.refusal(error)!.message)", for: caller)
        }
        let said: String
        switch event {
        case .authenticate: said = "PIN accepted: you may now approve or reject your share of \(job)."
        case .approve: said = "You approved your share of \(job)."
        default: said = "You rejected your share of \(job)."
        }
        return done("/web/shares", notice: said, for: caller)
    }

    // MARK: Bills

    @Sendable func bills(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee, .auditor])
        let all = caller.user.has(.auditor)
        let summaries = try await store.bills(account: all ? nil : "user:\(caller.user.id)", limit: 10_000)
        let table = WebTable(
            columns: [
                .init("id", "Bill"), .init("account", "Account"), .init("from", "From"), .init("to", "To"), .init("issued", "Issued"),
                .init("lines", "Lines", numeric: true), .init("amount", "Amount", numeric: true), .init("currency", "Currency"),
            ],
            rows: summaries.map { bill in
                WebTable.Row(
                    [bill.id, bill.account, WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.periodStart)), WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.periodEnd)),
                     WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.issuedAt)), "\(bill.lines)", WebFormat.money(bill.amount, nil), bill.currency ?? ""],
                    link: "/web/bills/\(bill.id)"
                )
            }
        )
        if let csv = csvIfAsked(table, request, filename: "bills") { return csv }
        return try page("bills", caller, request, title: all ? "Bills" : "My bills", ["table": tableContext(table, request)])
    }

    @Sendable func bill(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.employee, .auditor])
        let id = try context.parameters.require("id")
        guard let json = try await store.billJSON(id: id) else { throw WebError.notFound("bill \(id)") }
        let bill = try Bill.decode(Data(json.utf8))
        // The same answer for "none" and "not yours": bill ids are not to be probed.
        guard caller.user.has(.auditor) || bill.users.contains(caller.user.id.value) && bill.account == "user:\(caller.user.id)" else {
            throw WebError.notFound("bill \(id)")
        }
        let table = WebTable(columns: [
            .init("device", "Device"), .init("sequence", "#", numeric: true), .init("user", "User"), .init("ended", "Ended"), .init("paper", "Paper"),
            .init("pages", "Pages", numeric: true), .init("copies", "Copies", numeric: true), .init("colour", "Colour", numeric: true),
            .init("mono", "Mono", numeric: true), .init("amount", "Amount", numeric: true),
        ], rows: bill.lines.map { line in
            WebTable.Row([
                line.device, "\(line.sequence)", line.user, WebFormat.time(Timestamp(millisecondsSinceEpoch: line.ended)), line.paper,
                "\(line.pages)", "\(line.copies)", "\(line.colourPages)", "\(line.monoPages)", WebFormat.money(line.amount, nil),
            ])
        })
        if let csv = csvIfAsked(table, request, filename: bill.id) { return csv }
        let verification = try await BillVerification.check(bill, store: store)
        return try page("bill", caller, request, title: "Bill \(bill.id)", [
            "id": bill.id, "account": bill.account, "users": bill.users.joined(separator: ", "),
            "from": WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.periodStart)), "to": WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.periodEnd)),
            "issued": WebFormat.time(Timestamp(millisecondsSinceEpoch: bill.issuedAt)), "amount": WebFormat.money(bill.amount, bill.currency),
            "usageHash": bill.usageHash, "table": tableContext(table, request), "corrects": bill.corrects as Any,
            "verified": verification.ok, "verdict": verification.verdict, "findings": verification.details.map { ["text": $0] },
            "json": "/api/v1/bills/\(bill.id)",
        ])
    }
}
