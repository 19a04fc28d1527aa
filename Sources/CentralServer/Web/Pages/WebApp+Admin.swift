import Foundation
import Hummingbird
import Protocol

/// The administrator's pages (issue 7): users, cards, roles, quotas, adjustments, payments,
/// prices, devices (state, last seen, firmware), enrolment tokens. Every change goes through
/// `AdminService` (checked like the REST API's, audited with the person and address). There is
/// no page that edits or deletes audit records: the store refuses it anyway (append-only).
extension WebApp {
    @Sendable func adminUsers(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let users = try await store.users()
        var rows: [WebTable.Row] = []
        for user in users {
            let state = try await services.grants.quotaState(userID: user.id, now: services.clock.now())
            rows.append(WebTable.Row([
                user.id.value, user.name, user.department ?? "", user.roles.sorted().map(\.rawValue).joined(separator: ", "),
                user.cards.joined(separator: ", "), user.active ? "active" : "disabled",
                state.map { WebFormat.amount($0.used, $0.unit) } ?? "", state.map { WebFormat.amount($0.remaining, $0.unit) } ?? "",
            ], link: "/web/admin/users/\(user.id.value)"))
        }
        let table = WebTable(columns: [
            .init("id", "User"), .init("name", "Name"), .init("department", "Department"), .init("roles", "Roles"), .init("cards", "Cards"),
            .init("state", "State"), .init("used", "Used"), .init("left", "Left"),
        ], rows: rows)
        if let csv = csvIfAsked(table, request, filename: "users") { return csv }
        return try page("admin-users", caller, request, title: "Users", [
            "table": tableContext(table, request), "roles": Role.allCases.map { ["name": $0.rawValue] },
        ])
    }

    @Sendable func adminCreateUser(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let form = try await form(request, context, caller)
        let new = AdminService.NewUser(
            id: form["id"], name: form["name"] ?? "", department: form["department"], roles: form.all("role"),
            cards: (form["cards"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map { "\($0)" },
            pin: form["pin"], password: form.pairs.first { $0.0 == "password" && !$0.1.isEmpty }?.1
        )
        do {
            let user = try await services.admin.createUser(new, by: actor(caller, context))
            return done("/web/admin/users/\(user.id.value)", notice: "User \(user.id.value) created.", for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/admin/users", notice: "Not created: \(WebError.refusal(error)!.message)", for: caller)
        }
    }

    @Sendable func adminUser(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        guard let id = try? UserID(try context.parameters.require("id")), let user = try await store.user(id: id) else { throw WebError.notFound("user") }
        let quota = try await store.quota(userID: id)
        let ledger = try await store.ledger(userID: id, limit: 200)
        let table = WebTable(columns: [
            .init("at", "When"), .init("kind", "Kind"), .init("pages", "Pages", numeric: true), .init("amount", "Amount", numeric: true),
            .init("note", "Note"), .init("actor", "By"),
        ], rows: ledger.map { entry in
            WebTable.Row([WebFormat.time(entry.at), entry.kind.rawValue, "\(entry.pages)", WebFormat.money(entry.amount, entry.currency?.code), entry.note, entry.actor])
        })
        if let csv = csvIfAsked(table, request, filename: "ledger-\(id.value)") { return csv }
        var data: [String: Any] = [
            "id": user.id.value, "name": user.name, "department": user.department ?? "", "roles": user.roles.sorted().map(\.rawValue).joined(separator: ", "),
            "active": user.active, "cards": user.cards.map { ["number": $0] },
            "roleChoices": Role.allCases.map { ["name": $0.rawValue, "held": user.roles.contains($0)] }, "hasPIN": user.pinHash != nil, "hasPassword": user.passwordHash != nil,
            "table": tableContext(table, request),
        ]
        if let quota {
            data["quota"] = [
                "limit": quota.firstLimit, "adjustment": quota.adjustment, "period": quota.period.rawValue,
                "unit": quota.unit.storedName, "isMoney": quota.unit != .pages,
            ]
        }
        data["balance"] = try await balanceContext(id)
        return try page("admin-user", caller, request, title: "User \(user.id.value)", data)
    }

    @Sendable func adminUserAction(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let form = try await form(request, context, caller)
        let id = try context.parameters.require("id")
        let who = actor(caller, context)
        let back = "/web/admin/users/\(TableQuery.escape(id))"
        do {
            let said: String
            switch try context.parameters.require("action") {
            case "cards":
                try await services.admin.addCard(id, card: try form.require("card"), by: who)
                said = "Card added."
            case "remove-card":
                try await services.admin.removeCard(id, card: try form.require("card"), by: who)
                said = "Card removed."
            case "quota":
                try await services.admin.setQuota(
                    user: id, limit: try form.integer("limit"), unit: try form.require("unit"), currency: form["currency"],
                    adjustment: form["adjustment"].flatMap { Int64($0) } ?? 0, period: form["period"] ?? "monthly", by: who
                )
                said = "Quota set."
            case "adjustment":
                let entry = try await services.admin.adjust(user: id, amount: try form.integer("amount"), note: form["note"] ?? "adjustment", by: who)
                said = "Adjustment of \(entry.pages != 0 ? "\(entry.pages) pages" : WebFormat.money(entry.amount, entry.currency?.code)) recorded."
            case "payment":
                let entry = try await services.admin.recordPayment(user: id, amount: try form.integer("amount"), currency: form["currency"], note: form["note"], by: who)
                said = "Payment of \(WebFormat.money(entry.amount, entry.currency?.code)) recorded (\(entry.pages) pages)."
            case "roles":
                try await services.admin.setRoles(id, roles: form.all("role"), by: who)
                said = "Roles set."
            case "enable":
                try await services.admin.setActive(id, active: true, by: who)
                said = "User enabled."
            case "disable":
                try await services.admin.setActive(id, active: false, by: who)
                said = "User disabled."
            case "password":
                try await services.admin.setPassword(id, password: form.pairs.first { $0.0 == "password" }?.1 ?? "", by: who)
                said = "Password set."
            case let other: throw WebError.notFound("the action \(other)")
            }
            return done(back, notice: said, for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done(back, notice: "Not done: \(WebError.refusal(error)!.message)", for: caller)
        }
    }

    @Sendable func adminPrices(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let table = WebTable(columns: [
            .init("paper", "Paper"), .init("colour", "Colour"), .init("price", "Price per page", numeric: true), .init("currency", "Currency"),
        ], rows: try await store.prices().map { price in
            WebTable.Row(["\(price.paperSize)", price.colour ? "colour" : "mono", WebFormat.money(Int64(price.pricePerPage), nil), price.currency.code])
        })
        if let csv = csvIfAsked(table, request, filename: "prices") { return csv }
        return try page("admin-prices", caller, request, title: "Prices", ["table": tableContext(table, request)])
    }

    @Sendable func adminSetPrice(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let form = try await form(request, context, caller)
        do {
            let price = try await services.admin.setPrice(
                paper: try form.require("paper"), colour: form["colour"] == "colour", price: try form.integer("price"),
                currency: try form.require("currency"), by: actor(caller, context)
            )
            return done("/web/admin/prices", notice: "Price for \(price.paperSize) \(price.colour ? "colour" : "mono") set.", for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/admin/prices", notice: "Not set: \(WebError.refusal(error)!.message)", for: caller)
        }
    }

    @Sendable func adminDevices(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let now = services.clock.now()
        let connected = await services.hub.connectedDevices
        let table = WebTable(columns: [
            .init("id", "Device"), .init("name", "Name"), .init("model", "Model"), .init("firmware", "Firmware"), .init("state", "State"),
            .init("link", "Link"), .init("seen", "Last seen"), .init("resources", "Copiers and seals"),
        ], rows: try await store.devices().map { device in
            WebTable.Row([
                device.id.value, device.name, device.model, device.firmware, device.state.rawValue,
                connected.contains(device.id) ? "online" : DeviceHealth.isOffline(device, now: now) ? "offline" : "idle",
                WebFormat.time(device.lastSeen), device.resources.map { "\($0.id.value) (\($0.type))" }.joined(separator: ", "),
            ])
        })
        if let csv = csvIfAsked(table, request, filename: "devices") { return csv }
        return try page("list", caller, request, title: "Devices", ["table": tableContext(table, request)])
    }

    @Sendable func adminTokens(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let now = services.clock.now()
        let table = WebTable(columns: [
            .init("name", "Device name"), .init("by", "Made by"), .init("created", "Made"), .init("expires", "Expires"), .init("state", "State"),
        ], rows: try await store.enrollmentTokens().map { token in
            let state = token.used != nil ? "used by \(token.usedBy?.value ?? "?") at \(WebFormat.time(token.used))"
                : token.expires.millisecondsSinceEpoch <= now.millisecondsSinceEpoch ? "expired" : "unused"
            return WebTable.Row([token.name, token.createdBy, WebFormat.time(token.created), WebFormat.time(token.expires), state])
        })
        if let csv = csvIfAsked(table, request, filename: "enrolment-tokens") { return csv }
        return try page("admin-tokens", caller, request, title: "Enrolment tokens", ["table": tableContext(table, request)])
    }

    @Sendable func adminCreateToken(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let form = try await form(request, context, caller)
        do {
            // Bounded before it is multiplied: hours * 3_600_000 trapped on a huge number (issue 21).
            let text = (form["hours"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let hours = text.isEmpty ? 24 : Int64(text), (1...720).contains(hours) else {
                throw InputError(field: "hours", "must be a whole number of hours from 1 to 720 (30 days), got \"\(text)\"")
            }
            let lifetime = hours * 3_600_000
            let made = try await services.admin.createEnrollmentToken(name: try form.require("name"), lifetime: lifetime, by: actor(caller, context))
            // Shown once, on this page only: the store keeps its hash.
            return try page("admin-tokens", caller, request, title: "Enrolment tokens", [
                "made": ["token": made.token, "expires": WebFormat.time(made.expires)],
                "table": tableContext(WebTable(columns: [.init("name", "Device name")], rows: []), request),
            ])
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/admin/tokens", notice: "Not made: \(WebError.refusal(error)!.message)", for: caller)
        }
    }
}

/// Whether a device needs attention: the dashboard's rule. Pure.
enum DeviceHealth {
    /// Not heard from for this long: offline (agents send a heartbeat every few seconds and
    /// checkpoints every minute).
    static let offlineAfter: Int64 = 5 * 60_000

    static func isOffline(_ device: Device, now: Timestamp) -> Bool {
        guard let seen = device.lastSeen else { return true }
        return now.millisecondsSinceEpoch - seen.millisecondsSinceEpoch > offlineAfter
    }
}
