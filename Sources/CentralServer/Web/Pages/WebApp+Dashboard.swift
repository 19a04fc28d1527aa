import Foundation
import Hummingbird
import Protocol

/// The dashboard (SPEC G3, issue 7): what needs attention at a glance — approvals waiting,
/// devices offline or in fault, users near their limit, chain and signature failures — each
/// part shown to the roles it concerns, and use over time as a chart.
extension WebApp {
    @Sendable func dashboard(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request)
        let user = caller.user
        let now = services.clock.now()
        let overseer = user.has(.administrator) || user.has(.auditor)
        var data: [String: Any] = [:]

        let applications = try await store.sealApplications()
        let waiting = applications.filter { $0.waitingOn == user.id }
        if user.has(.approver) || overseer {
            let pending = overseer ? applications.filter { $0.waitingOn != nil } : waiting
            data["approvals"] = [
                "count": pending.count, "waitingOnMe": waiting.count, "hasWaitingOnMe": !waiting.isEmpty,
                "items": pending.prefix(10).map { ["id": $0.id.value, "applicant": $0.applicant.value, "seal": $0.seal.value, "waiting": $0.waitingOn?.value ?? ""] },
            ]
        }
        if overseer {
            let connected = Set(await services.hub.connectedDevices)
            let faults = try await store.recentFaults(since: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - 86_400_000), limit: 50)
            var attention: [[String: Any]] = []
            for device in try await store.devices() {
                var problems: [String] = []
                if device.state == .disabled { problems.append("disabled") }
                if !connected.contains(device.id), DeviceHealth.isOffline(device, now: now) {
                    problems.append("offline since \(device.lastSeen.map { WebFormat.time($0) } ?? "enrolment")")
                }
                if let fault = faults.first(where: { $0.device == device.id }) {
                    problems.append("fault \(fault.component) #\(fault.code) at \(WebFormat.time(fault.at)): \(fault.message)")
                }
                if !problems.isEmpty { attention.append(["id": device.id.value, "name": device.name, "problems": problems.joined(separator: "; ")]) }
            }
            data["devices"] = ["items": attention, "none": attention.isEmpty]

            var near: [[String: Any]] = []
            for person in try await store.users() where person.active {
                guard let state = try await services.grants.quotaState(userID: person.id, now: now), state.secondLimit > 0 else { continue }
                let percent = Int(min(999, state.used * 100 / state.secondLimit))
                if percent >= 80 {
                    near.append(["id": person.id.value, "percent": percent, "used": WebFormat.amount(state.used, state.unit), "limit": WebFormat.amount(state.secondLimit, state.unit)])
                }
            }
            data["near"] = ["items": near, "none": near.isEmpty]

            // Read by kind, not from the newest 500 events: a flood of other events hid them (issue 21).
            let failures = try await store.securityAlerts(since: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - 30 * 86_400_000), limit: 10)
            let chain = try await store.verifyAuditChain()
            var auditOK = false
            if case .intact = chain { auditOK = true }
            data["integrity"] = [
                "items": failures.prefix(10).map { ["at": WebFormat.time($0.at), "kind": $0.kind, "device": $0.deviceID?.value ?? "", "detail": $0.detail] },
                "none": failures.isEmpty, "auditOK": auditOK, "audit": "\(chain)",
            ]
        }
        if user.has(.employee) {
            data["balance"] = try await balanceContext(user.id)
            let shares = try await store.splitJobs(involving: user.id, limit: 200).flatMap { job in
                job.parts.flatMap { $0.payers.filter { $0.payer == user.id && $0.state.isOpen }.map { _ in job.id } }
            }
            data["mine"] = [
                "applications": applications.filter { $0.applicant == user.id && $0.waitingOn != nil }.count,
                "shares": shares.count,
            ]
        }
        let points = try await usagePoints(for: user)
        let buckets = UsageSeries.buckets(points, range: .month, now: now)
        data["chart"] = BarChartSVG.svg(buckets.map { .init(label: $0.label, value: $0.total) }, title: overseer || user.has(.approver) ? "Pages per day, last 30 days, everyone" : "My pages per day, last 30 days")
        return try page("dashboard", caller, request, title: "Dashboard", data)
    }

    /// The uses `user` may chart: everyone's for administrators, auditors and approvers; their own otherwise.
    func usagePoints(for user: User) async throws -> [UsagePoint] {
        let everyone = user.has(.administrator) || user.has(.auditor) || user.has(.approver)
        let users = try await store.users()
        var department: [UserID: String] = [:]
        for person in users { department[person.id] = person.department ?? "(none)" }
        return try await store.jobs(limit: 1_000_000).filter { everyone || $0.userID == user.id }.map { job in
            UsagePoint(at: job.ended, user: job.userID.value, department: department[job.userID] ?? "(none)", device: job.deviceID.value, pages: job.pages)
        }
    }

    /// Use over time per user, department or device, for the week, month or year (`?by=&key=&range=`).
    @Sendable func usage(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request)
        let query = Self.query(request)
        let grouping = query["by"].flatMap(UsageGrouping.init(rawValue:)) ?? .user
        let range = query["range"].flatMap(UsageRange.init(rawValue:)) ?? .month
        let everyone = caller.user.has(.administrator) || caller.user.has(.auditor) || caller.user.has(.approver)
        let points = try await usagePoints(for: caller.user)
        let key = everyone ? query["key"] : caller.user.id.value
        let chosen = key.map { key in points.filter { $0.key(grouping) == key } } ?? points
        let now = services.clock.now()
        let buckets = UsageSeries.buckets(chosen, range: range, now: now)
        let table = WebTable(
            columns: [.init("key", grouping.rawValue.capitalized), .init("pages", "Pages", numeric: true)],
            rows: UsageSeries.totals(points, by: grouping, range: range, now: now).map { total in
                WebTable.Row([total.key, "\(total.pages)"], link: everyone ? "/web/usage?by=\(grouping.rawValue)&range=\(range.rawValue)&key=\(TableQuery.escape(total.key))" : nil)
            }
        )
        if let csv = csvIfAsked(table, request, filename: "use-by-\(grouping.rawValue)-\(range.rawValue)") { return csv }
        let title = "Pages \(range == .year ? "per month" : "per day"), last \(range == .week ? "7 days" : range == .month ? "30 days" : "12 months")" + (key.map { ", \(grouping.rawValue) \($0)" } ?? ", everyone")
        return try page("usage", caller, request, title: "Use over time", [
            "chart": BarChartSVG.svg(buckets.map { .init(label: $0.label, value: $0.total) }, title: title), "chartTitle": title,
            "total": buckets.reduce(0) { $0 + $1.total },
            "groupings": UsageGrouping.allCases.map { ["name": $0.rawValue, "selected": $0 == grouping] },
            "ranges": UsageRange.allCases.map { ["name": $0.rawValue, "selected": $0 == range] },
            "key": key ?? "", "everyone": everyone, "table": tableContext(table, request),
        ])
    }
}
