import Foundation
import Protocol
import Testing
@testable import CentralServer

@Suite("Device enrolment")
struct EnrollmentTests {
    func request(_ token: String, device: String = "agent-1", key: String = Hex.encode(Fixture.deviceKey.publicKey.bytes)) -> EnrollmentService.Request {
        EnrollmentService.Request(token: token, deviceID: device, publicKey: key, model: "ACME 3000", firmware: "1.2.3")
    }

    @Test func aTokenEnrolsOnceAndIsStoredOnlyAsItsHash() async throws {
        let server = try TestServer()
        let (token, expires) = try await server.admin.createEnrollmentToken(name: "3rd floor", lifetime: 3_600_000, by: TestServer.actor)
        #expect(token.count == 64)
        #expect(expires == Fixture.now.adding(milliseconds: 3_600_000))

        let result = try await server.services.enrollment.enroll(request(token), source: "10.0.0.9:5000")
        #expect(result.device.id == Fixture.deviceID("agent-1"))
        #expect(result.device.name == "3rd floor")
        #expect(result.device.publicKey == Fixture.deviceKey.publicKey)
        // Without a resource list the device gets one copier named like the device.
        #expect(result.device.resources == [DeviceResource(id: Fixture.resourceID("agent-1"), type: .copier)])
        #expect(result.serverKeys.map(\.keyID) == [try server.services.keyRing.keys().current.keyID])
        #expect(try await server.store.device(id: Fixture.deviceID("agent-1"))?.model == "ACME 3000")

        // Used once: a second use is refused, whatever the device.
        await #expect(throws: AdminError.enrollment(.tokenUsed(at: Fixture.now, by: Fixture.deviceID("agent-1")))) {
            try await server.services.enrollment.enroll(request(token, device: "agent-2"), source: "x")
        }

        // Neither the token nor its hex appears anywhere in the database files.
        try await server.store.close()
        for suffix in ["", "-wal"] {
            guard let data = FileManager.default.contents(atPath: server.directory.appending("server.sqlite\(suffix)")) else { continue }
            #expect(data.range(of: Data(token.utf8)) == nil)
            #expect(data.range(of: Data(Hex.decode(token)!)) == nil)
        }
        // The enrolment is in the audit log.
        let reopened = try SQLiteServerStore(dataDirectory: server.directory.path)
        let entries = try await reopened.auditEntries(after: 0, limit: 10)
        #expect(entries.contains { $0.record.action == "device.enroll" && $0.record.actor == "enrolment:3rd floor" && $0.record.source == "10.0.0.9:5000" })
        try await reopened.close()
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let server = try TestServer()
        let (token, expires) = try await server.admin.createEnrollmentToken(name: "x", lifetime: 60_000, by: TestServer.actor)
        server.clock.advance(milliseconds: 60_000)
        await #expect(throws: AdminError.enrollment(.tokenExpired(at: expires))) {
            try await server.services.enrollment.enroll(request(token), source: "x")
        }
        #expect(AdminError.enrollment(.tokenExpired(at: expires)).description == "this enrolment token expired at 2023-11-14T22:14:20Z")
    }

    @Test func anUnknownTokenIsRefused() async throws {
        let server = try TestServer()
        await #expect(throws: AdminError.enrollment(.unknownToken)) {
            try await server.services.enrollment.enroll(request(String(repeating: "ab", count: 32)), source: "x")
        }
    }

    @Test func anEnrolledDeviceIDIsRefusedAndTheTokenStaysUnused() async throws {
        let server = try TestServer()
        try await server.enroll("agent-1")
        let (token, _) = try await server.admin.createEnrollmentToken(name: "again", lifetime: 3_600_000, by: TestServer.actor)
        await #expect(throws: AdminError.enrollment(.deviceAlreadyEnrolled(Fixture.deviceID("agent-1")))) {
            try await server.services.enrollment.enroll(request(token), source: "x")
        }
        _ = try await server.services.enrollment.enroll(request(token, device: "agent-2"), source: "x")
    }

    @Test func acceptsBase64KeysAndRefusesBadOnes() throws {
        let key = Fixture.deviceKey.publicKey
        #expect(try EnrollmentService.publicKey(Data(key.bytes).base64EncodedString()) == key)
        #expect(try EnrollmentService.publicKey(Hex.encode(key.bytes).uppercased()) == key)
        for bad in ["", "zz", String(repeating: "0", count: 62), Data(repeating: 1, count: 31).base64EncodedString()] {
            #expect(throws: InputError.self) { try EnrollmentService.publicKey(bad) }
        }
    }

    @Test func checksTheResourceList() throws {
        let device = Fixture.deviceID("agent-1")
        #expect(throws: InputError(field: "resources[1].type", "must be copier or seal, got \"printer\"")) {
            try EnrollmentService.resources([("c1", "copier"), ("p1", "printer")], deviceID: device)
        }
        #expect(throws: InputError(field: "resources[1].id", "c1 is listed twice")) {
            try EnrollmentService.resources([("c1", "copier"), ("c1", "seal")], deviceID: device)
        }
        #expect(throws: InputError.self) { try EnrollmentService.resources([], deviceID: device) }
    }
}

@Suite("Audit log")
struct AuditLogTests {
    @Test func everyChangeByAPersonIsChained() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        try await server.admin.setPIN("alice", pin: "4321", by: TestServer.actor)
        try await server.admin.setPrice(paper: "A4", colour: false, price: 5, currency: "EUR", by: TestServer.actor)
        try await server.admin.setActive("alice", active: false, by: TestServer.actor)
        let entries = try await server.store.auditEntries(after: 0, limit: 100)
        #expect(entries.map(\.record.action) == ["user.create", "user.set-pin", "price.set", "user.disable"])
        #expect(entries.map(\.sequence) == [1, 2, 3, 4])
        #expect(entries.allSatisfy { $0.record.actor == "cli:test" })
        #expect(entries.first?.previousHash == .zero)
        for (previous, next) in zip(entries, entries.dropFirst()) { #expect(next.previousHash == previous.hash) }
        // Nothing secret in the details.
        #expect(!entries.contains { $0.record.details.values.contains("1234") || $0.record.details.values.contains("4321") })
        #expect(try await server.store.verifyAuditChain() == .intact(count: 4, head: entries[3].hash))
    }

    @Test func theDatabaseRefusesToEditOrDeleteEntries() async throws {
        let server = try TestServer()
        try await server.addUser("alice")
        let store = try #require(server.store as? SQLiteServerStore)
        await #expect(throws: (any Error).self) {
            try await store.pool.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'someone else'") }
        }
        await #expect(throws: (any Error).self) {
            try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
        }
        try await server.store.appendLedger(LedgerEntry(userID: Fixture.userID("alice"), at: Fixture.now, kind: .use, pages: 1, actor: "test"), audit: nil)
        await #expect(throws: (any Error).self) {
            try await store.pool.write { db in try db.execute(sql: "UPDATE ledger SET pages = 0") }
        }
        await #expect(throws: (any Error).self) {
            try await store.pool.write { db in try db.execute(sql: "DELETE FROM ledger") }
        }
        #expect(try await server.store.auditEntries(after: 0, limit: 10).count == 1)
    }

    @Test func aChangedEntryIsFoundAndNamed() async throws {
        let server = try TestServer()
        for id in ["alice", "bob", "carol"] { try await server.addUser(id) }
        let store = try #require(server.store as? SQLiteServerStore)
        // Someone with the database file drops the guard and edits entry 2.
        try await store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_is_append_only_update")
            try db.execute(sql: "UPDATE audit_log SET target = 'user:mallory' WHERE sequence = 2")
        }
        #expect(try await store.verifyAuditChain() == .broken(AuditChain.Break(sequence: 2, kind: .changed)))

        // If they also recompute entry 2's hash, entry 3 no longer links to it.
        let entries = try await store.auditEntries(after: 0, limit: 10)
        let rehashed = AuditChain.hash(of: entries[1].record, sequence: 2, previousHash: entries[1].previousHash)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE audit_log SET hash = ? WHERE sequence = 2", arguments: [Data(rehashed.bytes)])
        }
        let verdict = try await store.verifyAuditChain()
        #expect(verdict == .broken(AuditChain.Break(sequence: 3, kind: .linkBroken)))
        #expect(verdict.description == "broken at audit entry 3: it does not link to the entry before it")

        // A deleted entry shows as a gap.
        try await store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_is_append_only_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE sequence = 1")
        }
        #expect(try await store.verifyAuditChain() == .broken(AuditChain.Break(sequence: 2, kind: .outOfSequence(expected: 1))))
    }

    @Test func theHashIsTheDocumentedOne() {
        let record = AuditRecord(actor: "cli:root", source: "cli", action: "price.set", target: "price:A4/mono/EUR", details: ["price": "5"], at: Fixture.now)
        var expected = Array("imprimatur-audit-v1".utf8) + Hash32.zero.bytes
        expected += [0, 0, 0, 0, 0, 0, 0, 1]  // sequence 1
        expected += [0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00]  // at 1 700 000 000 000
        for text in ["cli:root", "cli", "price.set", "price:A4/mono/EUR"] {
            expected += [0, 0, 0, UInt8(text.utf8.count)] + Array(text.utf8)
        }
        expected += [0, 0, 0, 1, 0, 0, 0, 5] + Array("price".utf8) + [0, 0, 0, 1] + Array("5".utf8)
        let hash = AuditChain.hash(of: record, sequence: 1, previousHash: .zero)
        #expect(hash == Hash32.sha256(expected))
        // The hash printed in docs/server.md.
        #expect(hash.hex == "a7f5c90a5962d0a39d384ab1552e273312d3a8263d43854b2e563a6361862c9d")
    }
}
