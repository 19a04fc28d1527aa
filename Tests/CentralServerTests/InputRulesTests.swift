import Protocol
import Testing
@testable import CentralServer

@Suite("Input rules")
struct InputRulesTests {
    @Test(arguments: [
        ("1234", nil), ("0000000000000000", nil),
        ("123", "must be 4 to 16 digits, got 3 characters"),
        ("12345678901234567", "must be 4 to 16 digits, got 17 characters"),
        ("12a4", "must contain only the digits 0-9"),
        ("１２３４", "must contain only the digits 0-9"),
    ] as [(String, String?)])
    func pins(_ text: String, _ message: String?) {
        if let message {
            #expect(throws: InputError(field: "pin", message)) { try InputRules.pin(text) }
        } else {
            #expect(throws: Never.self) { try InputRules.pin(text) }
        }
    }

    @Test(arguments: [
        ("Alice Smith", nil),
        ("", "must not be empty"),
        (String(repeating: "x", count: 129), "must be at most 128 characters"),
        ("Al\u{7}", "contains U+0007 (a control character), which cannot be shown"),
        (" Al", "must not start or end with spaces"),
    ] as [(String, String?)])
    func names(_ text: String, _ message: String?) {
        if let message {
            #expect(throws: InputError(field: "name", message)) { try InputRules.name(text) }
        } else {
            #expect(throws: Never.self) { try InputRules.name(text) }
        }
    }

    @Test func otherFields() throws {
        #expect(try InputRules.paperSize("letter") == .letter)
        #expect(throws: InputError.self) { try InputRules.paperSize("A5") }
        #expect(try InputRules.currency("JPY").code == "JPY")
        #expect(throws: InputError.self) { try InputRules.currency("eur") }
        #expect(try InputRules.pricePerPage(1) == 1)
        #expect(throws: InputError(field: "price", "must be 1 to 4294967295 minor units, got 0")) { try InputRules.pricePerPage(0) }
        #expect(throws: InputError.self) { try InputRules.pricePerPage(4_294_967_296) }
        #expect(throws: InputError.self) { try InputRules.quotaAmount(-1, field: "limit") }
        #expect(try InputRules.cardNumber("0004711") == "0004711")
        #expect(throws: InputError.self) { try InputRules.cardNumber("with space") }
        #expect(throws: InputError.self) { try InputRules.userID("a/b") }
    }

    @Test func durations() throws {
        #expect(try TimeText.duration("90s", field: "expires") == 90_000)
        #expect(try TimeText.duration("30m", field: "expires") == 1_800_000)
        #expect(try TimeText.duration("24h", field: "expires") == 86_400_000)
        #expect(try TimeText.duration("7d", field: "expires") == 604_800_000)
        for bad in ["", "h", "0h", "-5h", "5", "5y", "1.5h", "99999999999999999d"] {
            #expect(throws: InputError.self, "\(bad)") { try TimeText.duration(bad, field: "expires") }
        }
    }

    @Test func rolesAndDerivedIDs() throws {
        #expect(try Role.parseList("employee, Auditor") == [.employee, .auditor])
        #expect(throws: InputError.self) { try Role.parseList("employee,,auditor") }
        #expect(try AdminService.derivedID(from: "Alice Smith").value == "alice.smith")
        #expect(try AdminService.derivedID(from: "  O'Brien, Pat ").value == "o.brien.pat")
        #expect(try AdminService.derivedID(from: "Zoë Ng").value == "zo.ng")
        #expect(throws: InputError.self) { try AdminService.derivedID(from: "王小明") }
    }
}

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test func itPersistsAcrossReopeningAndKeepsItsServerID() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        let id = try await server.store.serverID()
        #expect(id.value.hasPrefix("imprimatur-"))
        try await server.store.close()
        let reopened = try SQLiteServerStore(dataDirectory: server.directory.path)
        #expect(try await reopened.user(id: Fixture.userID("alice"))?.cards == ["card-alice"])
        #expect(try await reopened.user(cardNumber: "card-alice")?.id == Fixture.userID("alice"))
        #expect(try await reopened.serverID() == id)
        try await reopened.close()
    }

    @Test func walJournalAndForeignKeysAreOn() async throws {
        let server = try TestServer()
        let store = try #require(server.store as? SQLiteServerStore)
        let mode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        await #expect(throws: (any Error).self) {
            try await store.pool.write { db in try db.execute(sql: "INSERT INTO cards (number, user_id, added) VALUES ('x', 'nobody', 0)") }
        }
    }

    @Test func changesToMissingThingsAreNotFoundAndDuplicatesConflict() async throws {
        let server = try TestServer()
        let record = AuditRecord(actor: "t", source: "t", action: "a", target: "t", at: Fixture.now)
        await #expect(throws: StoreError.notFound("user ghost")) {
            try await server.store.setUserActive(Fixture.userID("ghost"), active: false, audit: record)
        }
        await #expect(throws: StoreError.notFound("device agent-9")) {
            try await server.store.setDeviceState(Fixture.deviceID("agent-9"), state: .disabled, audit: record)
        }
        try await server.addUser("alice")
        await #expect(throws: StoreError.conflict("user alice already exists")) {
            try await server.store.createUser(Fixture.user("alice"), audit: record)
        }
        // A refused change leaves no audit entry behind.
        #expect(try await server.store.auditEntries(after: 0, limit: 10).count == 1)
    }

    @Test func ledgerTotalsCountOnlyThePeriodAndTheCurrency() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        let alice = Fixture.userID("alice")
        let period = QuotaPeriodKind.monthly.period(containing: Fixture.now)
        let usd = try CurrencyCode("USD")
        for entry in [
            LedgerEntry(userID: alice, at: Fixture.now, kind: .use, pages: 10, amount: 300, currency: Fixture.eur, actor: "t"),
            LedgerEntry(userID: alice, at: Fixture.now, kind: .use, pages: 4, amount: 99, currency: usd, actor: "t"),
            LedgerEntry(userID: alice, at: period.start.adding(milliseconds: -1), kind: .use, pages: 1000, amount: 1000, currency: Fixture.eur, actor: "t"),
            LedgerEntry(userID: alice, at: Fixture.now, kind: .payment, amount: 500, currency: Fixture.eur, actor: "t"),
            LedgerEntry(userID: alice, at: Fixture.now, kind: .adjustment, pages: -3, amount: -50, currency: Fixture.eur, actor: "t"),
        ] {
            try await server.store.appendLedger(entry, audit: nil)
        }
        #expect(try await server.store.ledgerTotals(userID: alice, unit: .pages, period: period) == LedgerTotals(used: 14, payments: 0, adjustments: -3))
        #expect(try await server.store.ledgerTotals(userID: alice, unit: .money(Fixture.eur), period: period) == LedgerTotals(used: 300, payments: 500, adjustments: -50))
        #expect(try await server.store.ledger(userID: alice, limit: 2).map(\.kind) == [.adjustment, .payment])
    }
}
