import Foundation
import GRDB
import Protocol

extension SQLiteServerStore {
    public func createUser(_ user: User, audit: AuditRecord) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.id.value]) != nil {
                throw StoreError.conflict("user \(user.id) already exists")
            }
            for card in user.cards {
                if let owner = try String.fetchOne(db, sql: "SELECT user_id FROM cards WHERE number = ?", arguments: [card]) {
                    throw StoreError.conflict("card \(card) already belongs to user \(owner)")
                }
            }
            try db.execute(
                sql: """
                INSERT INTO users (id, name, department, roles, active, pin_hash, password_hash, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    user.id.value, user.name, user.department, Role.storedList(user.roles), user.active ? 1 : 0,
                    user.pinHash, user.passwordHash, user.created.millisecondsSinceEpoch,
                ]
            )
            for card in user.cards {
                try db.execute(
                    sql: "INSERT INTO cards (number, user_id, added) VALUES (?, ?, ?)",
                    arguments: [card, user.id.value, user.created.millisecondsSinceEpoch]
                )
            }
            try Self.insertAudit(audit, in: db)
        }
    }

    public func user(id: UserID) async throws -> User? {
        try await pool.read { db in try Self.fetchUser(db, id: id.value) }
    }

    public func user(cardNumber: String) async throws -> User? {
        try await pool.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT user_id FROM cards WHERE number = ?", arguments: [cardNumber]) else {
                return nil
            }
            return try Self.fetchUser(db, id: id)
        }
    }

    public func users() async throws -> [User] {
        try await pool.read { db in
            var cards: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT number, user_id FROM cards") {
                cards[row["user_id"], default: []].append(row["number"])
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY id").map { row in
                try SQLiteRows.user(row, cards: cards[row["id"] as String] ?? [])
            }
        }
    }

    public func setUserActive(_ id: UserID, active: Bool, audit: AuditRecord) async throws {
        try await updateUser(id, sql: "UPDATE users SET active = ? WHERE id = ?", arguments: [active ? 1 : 0, id.value], audit: audit)
    }

    public func setUserRoles(_ id: UserID, roles: Set<Role>, audit: AuditRecord) async throws {
        try await updateUser(id, sql: "UPDATE users SET roles = ? WHERE id = ?", arguments: [Role.storedList(roles), id.value], audit: audit)
    }

    public func setPINHash(_ id: UserID, hash: String?, audit: AuditRecord) async throws {
        try await updateUser(id, sql: "UPDATE users SET pin_hash = ? WHERE id = ?", arguments: [hash, id.value], audit: audit)
    }

    public func setPasswordHash(_ id: UserID, hash: String?, audit: AuditRecord) async throws {
        try await updateUser(id, sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, id.value], audit: audit)
    }

    public func addCard(_ number: String, to id: UserID, at: Timestamp, audit: AuditRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [id.value]) != nil else {
                throw StoreError.notFound("user \(id)")
            }
            if let owner = try String.fetchOne(db, sql: "SELECT user_id FROM cards WHERE number = ?", arguments: [number]) {
                throw StoreError.conflict("card \(number) already belongs to user \(owner)")
            }
            try db.execute(sql: "INSERT INTO cards (number, user_id, added) VALUES (?, ?, ?)", arguments: [number, id.value, at.millisecondsSinceEpoch])
            try Self.insertAudit(audit, in: db)
        }
    }

    public func removeCard(_ number: String, from id: UserID, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM cards WHERE number = ? AND user_id = ?", arguments: [number, id.value])
            try Self.requireChange(db, "card \(number) of user \(id)")
            try Self.insertAudit(audit, in: db)
        }
    }

    public func createAPIToken(hash: Hash32, userID: UserID, name: String, created: Timestamp, audit: AuditRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID.value]) != nil else {
                throw StoreError.notFound("user \(userID)")
            }
            try db.execute(
                sql: "INSERT INTO api_tokens (token_hash, user_id, name, created) VALUES (?, ?, ?, ?)",
                arguments: [Data(hash.bytes), userID.value, name, created.millisecondsSinceEpoch]
            )
            try Self.insertAudit(audit, in: db)
        }
    }

    public func apiTokenOwner(hash: Hash32) async throws -> User? {
        try await pool.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT user_id FROM api_tokens WHERE token_hash = ?", arguments: [Data(hash.bytes)]) else {
                return nil
            }
            return try Self.fetchUser(db, id: id)
        }
    }

    private func updateUser(_ id: UserID, sql: String, arguments: StatementArguments, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            try Self.requireChange(db, "user \(id)")
            try Self.insertAudit(audit, in: db)
        }
    }

    static func fetchUser(_ db: Database, id: String) throws -> User? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else { return nil }
        let cards = try String.fetchAll(db, sql: "SELECT number FROM cards WHERE user_id = ? ORDER BY number", arguments: [id])
        return try SQLiteRows.user(row, cards: cards)
    }
}
