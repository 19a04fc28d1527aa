import Foundation
import Protocol

/// The changes people make (SPEC G2): users, cards, PINs, prices, quotas, tokens, devices. The
/// admin CLI and the REST API both go through here, so both validate alike, and each change is
/// written with its audit entry in one transaction.
public struct AdminService: Sendable {
    public let store: any ServerStore
    public let clock: any ServerClock
    /// Where a disabled device's open connection is cut; nil in a CLI without a server.
    let hub: UplinkHub?
    /// bcrypt cost for new PIN hashes (a hash keeps its cost, so checks use the cost it was made with).
    public let pinHashCost: UInt8
    /// bcrypt cost for new web password hashes.
    public let passwordHashCost: UInt8

    /// A PIN is checked on every tap, so its cost is in the tap-to-unlock time. No cost can
    /// protect a 4-digit PIN from offline guessing (10^4 tries), and online guessing is stopped
    /// by the rate limit, so PINs get a moderate cost (docs/server.md, "PINs and passwords").
    public static let defaultPINHashCost: UInt8 = 8
    /// Passwords are checked only at web login and can be long: the usual cost.
    public static let defaultPasswordHashCost: UInt8 = 12

    public init(store: any ServerStore, clock: any ServerClock = SystemClock(), pinHashCost: UInt8 = AdminService.defaultPINHashCost, passwordHashCost: UInt8 = AdminService.defaultPasswordHashCost, hub: UplinkHub? = nil) {
        self.hub = hub
        self.store = store
        self.clock = clock
        self.pinHashCost = pinHashCost
        self.passwordHashCost = passwordHashCost
    }

    // MARK: Users

    /// What a new user needs; every field is checked by `createUser`.
    public struct NewUser: Sendable {
        public var id: String?
        public var name: String
        public var department: String?
        public var roles: [String]
        public var cards: [String]
        public var pin: String?
        public var password: String?

        public init(id: String? = nil, name: String, department: String? = nil, roles: [String], cards: [String] = [], pin: String? = nil, password: String? = nil) {
            self.id = id
            self.name = name
            self.department = department
            self.roles = roles
            self.cards = cards
            self.pin = pin
            self.password = password
        }
    }

    public func createUser(_ request: NewUser, by actor: AuditActor) async throws -> User {
        try await AdminError.translating {
            let name = try InputRules.name(request.name)
            let id = try request.id.map { try InputRules.userID($0) } ?? Self.derivedID(from: name)
            let department = try request.department.map { try InputRules.department($0) }
            guard !request.roles.isEmpty else { throw InputError(field: "role", "at least one role is needed") }
            var roles: Set<Role> = []
            for text in request.roles { roles.formUnion(try Role.parseList(text)) }
            var cards: [String] = []
            for card in request.cards {
                let number = try InputRules.cardNumber(card)
                guard !cards.contains(number) else { throw InputError(field: "card", "card \(number) is given twice") }
                cards.append(number)
            }
            let pin = try request.pin.map { try InputRules.pin($0) }
            let password = try request.password.map { try InputRules.password($0) }
            let now = clock.now()
            let pinHash = await pin.asyncMap { await Secrets.bcrypt($0, cost: pinHashCost) }
            let passwordHash = await password.asyncMap { await Secrets.bcrypt($0, cost: passwordHashCost) }
            let user = User(
                id: id, name: name, department: department, roles: roles, active: true,
                pinHash: pinHash, passwordHash: passwordHash, created: now, cards: cards
            )
            var details = ["name": name, "roles": Role.storedList(roles), "cards": user.cards.joined(separator: ","), "pin": pin == nil ? "none" : "set"]
            if let department { details["department"] = department }
            try await store.createUser(user, audit: actor.record("user.create", target: "user:\(id)", details: details, at: now))
            return user
        }
    }

    public func setActive(_ id: String, active: Bool, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            // Like taking one's own administrator role: it could leave nobody to manage the
            // server, and it locks the person out mid-session (issue 21).
            if !active, actor.actor == "user:\(userID)" {
                throw InputError(field: "active", "you cannot disable yourself; ask another administrator")
            }
            try await store.setUserActive(userID, active: active, audit: actor.record(active ? "user.enable" : "user.disable", target: "user:\(userID)", at: clock.now()))
        }
    }

    /// Replaces a user's roles (SPEC G1). An administrator cannot take the administrator role
    /// from themselves: the server could be left with nobody to manage it.
    public func setRoles(_ id: String, roles names: [String], by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            guard !names.isEmpty else { throw InputError(field: "role", "at least one role is needed") }
            var roles: Set<Role> = []
            for text in names { roles.formUnion(try Role.parseList(text)) }
            if actor.actor == "user:\(userID)", !roles.contains(.administrator), try await store.user(id: userID)?.has(.administrator) == true {
                throw InputError(field: "role", "you cannot take the administrator role from yourself; ask another administrator")
            }
            try await store.setUserRoles(userID, roles: roles, audit: actor.record("user.set-roles", target: "user:\(userID)", details: ["roles": Role.storedList(roles)], at: clock.now()))
        }
    }

    public func setPIN(_ id: String, pin: String, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            let checked = try InputRules.pin(pin)
            guard try await store.user(id: userID) != nil else { throw StoreError.notFound("user \(userID)") }
            let hash = await Secrets.bcrypt(checked, cost: pinHashCost)
            try await store.setPINHash(userID, hash: hash, audit: actor.record("user.set-pin", target: "user:\(userID)", at: clock.now()))
            // A new PIN starts with a clean slate of tries.
            try await store.clearPINFailures(userID: userID)
        }
    }

    public func setPassword(_ id: String, password: String, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            let checked = try InputRules.password(password)
            guard try await store.user(id: userID) != nil else { throw StoreError.notFound("user \(userID)") }
            let hash = await Secrets.bcrypt(checked, cost: passwordHashCost)
            try await store.setPasswordHash(userID, hash: hash, audit: actor.record("user.set-password", target: "user:\(userID)", at: clock.now()))
        }
    }

    public func addCard(_ id: String, card: String, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            let number = try InputRules.cardNumber(card, field: "number")
            let now = clock.now()
            try await store.addCard(number, to: userID, at: now, audit: actor.record("card.add", target: "user:\(userID)", details: ["card": number], at: now))
        }
    }

    public func removeCard(_ id: String, card: String, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let userID = try InputRules.userID(id)
            let number = try InputRules.cardNumber(card, field: "number")
            try await store.removeCard(number, from: userID, audit: actor.record("card.remove", target: "user:\(userID)", details: ["card": number], at: clock.now()))
        }
    }

    /// A user id from a display name: lower case, runs of other characters become one `.`
    /// (`Alice Smith` → `alice.smith`).
    public static func derivedID(from name: String) throws(InputError) -> UserID {
        var id = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) || "-_@".unicodeScalars.contains(scalar) {
                id.unicodeScalars.append(scalar)
            } else if !id.isEmpty, id.last != "." {
                id.append(".")
            }
        }
        while id.hasSuffix(".") { id.removeLast() }
        guard let userID = try? UserID(String(id.prefix(64))) else {
            throw InputError(field: "id", "cannot make a user id from the name \"\(name)\"; give one explicitly")
        }
        return userID
    }

    // MARK: Prices and quotas

    @discardableResult
    public func setPrice(paper: String, colour: Bool, price: Int64, currency: String, by actor: AuditActor) async throws -> Price {
        try await AdminError.translating {
            let entry = Price(
                paperSize: try InputRules.paperSize(paper), colour: colour,
                pricePerPage: try InputRules.pricePerPage(price), currency: try InputRules.currency(currency)
            )
            let now = clock.now()
            let target = "price:\(entry.paperSize)/\(colour ? "colour" : "mono")/\(entry.currency)"
            try await store.setPrice(entry, at: now, audit: actor.record("price.set", target: target, details: ["price": String(entry.pricePerPage)], at: now))
            return entry
        }
    }

    /// Sets a user's quota. `unit` is `pages` or `money` (then `currency` is needed).
    @discardableResult
    public func setQuota(
        user: String, limit: Int64, unit: String, currency: String?, adjustment: Int64, period: String, by actor: AuditActor
    ) async throws -> Quota {
        try await AdminError.translating {
            let userID = try InputRules.userID(user, field: "user")
            let quotaUnit: QuotaUnit
            switch unit.lowercased() {
            case "pages": quotaUnit = .pages
            case "money": quotaUnit = .money(try InputRules.currency(currency ?? "", field: "currency"))
            default: throw InputError(field: "unit", "must be pages or money, got \"\(unit)\"")
            }
            guard let periodKind = QuotaPeriodKind(rawValue: period.lowercased()) else {
                throw InputError(field: "period", "must be one of \(QuotaPeriodKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(period)\"")
            }
            let quota = Quota(
                userID: userID, period: periodKind, unit: quotaUnit,
                firstLimit: try InputRules.quotaAmount(limit, field: "limit"),
                adjustment: try InputRules.quotaAmount(adjustment, field: "adjustment")
            )
            let now = clock.now()
            try await store.setQuota(quota, at: now, audit: actor.record("quota.set", target: "user:\(userID)", details: [
                "period": periodKind.rawValue, "unit": quotaUnit.storedName,
                "limit": String(quota.firstLimit), "adjustment": String(quota.adjustment),
            ], at: now))
            return quota
        }
    }

    /// Records a payment (SPEC B4): `amount` minor units of `currency` buy use at the price
    /// table's rate (docs/quotas.md, "Payments"), written as a `payment` ledger entry.
    @discardableResult
    public func recordPayment(user: String, amount: Int64, currency: String?, note: String?, by actor: AuditActor) async throws -> LedgerEntry {
        try await AdminError.translating {
            let userID = try InputRules.userID(user, field: "user")
            guard try await store.user(id: userID) != nil else { throw StoreError.notFound("user \(userID)") }
            guard let quota = try await store.quota(userID: userID) else { throw InputError(field: "user", "user \(userID) has no quota to pay into") }
            let entry = try await paymentEntry(quota: quota, amount: amount, currency: currency, note: note ?? "payment", actor: actor.actor, at: clock.now())
            try await store.appendLedger(entry, audit: actor.record("quota.payment", target: "user:\(userID)", details: [
                "amount": String(entry.amount), "currency": entry.currency?.code ?? "", "pages": String(entry.pages), "note": entry.note,
            ], at: entry.at))
            return entry
        }
    }

    /// The ledger entry a payment makes, checked and converted; shared by the admin API and the
    /// payment-provider webhook.
    func paymentEntry(quota: Quota, amount: Int64, currency: String?, note: String, actor: String, at: Timestamp) async throws -> LedgerEntry {
        let code: CurrencyCode
        if let currency {
            code = try InputRules.currency(currency, field: "currency")
        } else if case let .money(quotaCurrency) = quota.unit {
            code = quotaCurrency
        } else {
            throw InputError(field: "currency", "is needed to pay into a page quota")
        }
        let checkedNote = try InputRules.note(note)
        let bought: (pages: Int64, amount: Int64)
        do {
            bought = try PaymentConversion.use(amount: try InputRules.quotaAmount(amount, field: "amount"), currency: code, unit: quota.unit, prices: try await store.prices())
        } catch let refusal as PaymentConversion.Refusal {
            throw InputError(field: refusal.field, refusal.description)
        }
        return LedgerEntry(userID: quota.userID, at: at, kind: .payment, pages: bought.pages, amount: bought.amount, currency: code, note: checkedNote, actor: actor)
    }

    /// Raises (or, negative, lowers) the user's adjustment for the current period only, in the
    /// quota's unit: an `adjustment` ledger entry (docs/quotas.md).
    @discardableResult
    public func adjust(user: String, amount: Int64, note: String, by actor: AuditActor) async throws -> LedgerEntry {
        try await AdminError.translating {
            let userID = try InputRules.userID(user, field: "user")
            guard try await store.user(id: userID) != nil else { throw StoreError.notFound("user \(userID)") }
            guard let quota = try await store.quota(userID: userID) else { throw InputError(field: "user", "user \(userID) has no quota to adjust") }
            guard amount != 0, (-1_000_000_000_000...1_000_000_000_000).contains(amount) else {
                throw InputError(field: "amount", "must be -1000000000000 to 1000000000000 and not 0, got \(amount)")
            }
            let checkedNote = try InputRules.note(note)
            let now = clock.now()
            let entry: LedgerEntry
            switch quota.unit {
            case .pages: entry = LedgerEntry(userID: userID, at: now, kind: .adjustment, pages: amount, note: checkedNote, actor: actor.actor)
            case let .money(currency):
                entry = LedgerEntry(userID: userID, at: now, kind: .adjustment, amount: amount, currency: currency, note: checkedNote, actor: actor.actor)
            }
            try await store.appendLedger(entry, audit: actor.record("quota.adjust", target: "user:\(userID)", details: [
                "amount": String(amount), "unit": quota.unit.storedName, "note": checkedNote,
            ], at: now))
            return entry
        }
    }

    // MARK: Tokens

    /// Creates a one-time enrolment token valid for `lifetime` ms; returns the token text, which
    /// is shown once and stored only as its hash.
    public func createEnrollmentToken(name: String, lifetime: Int64, by actor: AuditActor) async throws -> (token: String, expires: Timestamp) {
        try await AdminError.translating {
            let checkedName = try InputRules.name(name)
            guard (60_000...30 * 86_400_000).contains(lifetime) else {
                throw InputError(field: "expires", "must be between 1 minute and 30 days")
            }
            let token = Secrets.newToken()
            let now = clock.now()
            let expires = now.adding(milliseconds: lifetime)
            try await store.createEnrollmentToken(
                EnrollmentToken(tokenHash: Secrets.tokenHash(token), name: checkedName, createdBy: actor.actor, created: now, expires: expires),
                audit: actor.record("enrollment-token.create", target: "device-name:\(checkedName)", details: ["expires": TimeText.iso8601(expires)], at: now)
            )
            return (token, expires)
        }
    }

    /// Creates an API token for `user`; returns its text (shown once, stored as its hash).
    public func createAPIToken(user: String, name: String, by actor: AuditActor) async throws -> String {
        try await AdminError.translating {
            let userID = try InputRules.userID(user, field: "user")
            let checkedName = try InputRules.name(name)
            let token = Secrets.newToken()
            let now = clock.now()
            try await store.createAPIToken(
                hash: Secrets.tokenHash(token), userID: userID, name: checkedName, created: now,
                audit: actor.record("api-token.create", target: "user:\(userID)", details: ["name": checkedName], at: now)
            )
            return token
        }
    }

    // MARK: Devices

    public func setDeviceState(_ id: String, state: DeviceState, by actor: AuditActor) async throws {
        try await AdminError.translating {
            let deviceID = try InputRules.deviceID(id, field: "id")
            try await store.setDeviceState(deviceID, state: state, audit: actor.record("device.\(state == .active ? "enable" : "disable")", target: "device:\(deviceID)", at: clock.now()))
            if state != .active { await hub?.disconnect(deviceID, reason: "device \(deviceID) was disabled") }
        }
    }

    /// Replaces a device's permission list; an empty list opens the device to every user.
    public func setDevicePermissions(_ id: String, users: [String], departments: [String], by actor: AuditActor) async throws {
        try await AdminError.translating {
            let deviceID = try InputRules.deviceID(id, field: "id")
            var permissions: [DevicePermission] = []
            for user in users { permissions.append(.user(try InputRules.userID(user, field: "user"))) }
            for department in departments { permissions.append(.department(try InputRules.department(department))) }
            try await store.setDevicePermissions(deviceID, permissions: permissions, audit: actor.record(
                "device.permissions", target: "device:\(deviceID)",
                details: ["allowed": permissions.isEmpty ? "everyone" : permissions.map(\.description).joined(separator: ", ")],
                at: clock.now()
            ))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
