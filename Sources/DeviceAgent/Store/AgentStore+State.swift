import GRDB
import Protocol

/// A credential the server accepted, cached so the agent can identify the user offline.
public struct CachedCredential: Hashable, Sendable {
    public let user: UserID
    /// What the runtime checks a PIN against; nil for a card used without a PIN.
    public let pinVerifier: [UInt8]?
    /// When it was cached.
    public let cachedAt: Timestamp
}

// MARK: Offline credential cache

extension AgentStore {
    /// Caches (or replaces) the credential of the card whose hash is `cardHash`. The runtime
    /// computes both hashes; the store keeps them as given.
    public func cacheCredential(cardHash: Hash32, pinVerifier: [UInt8]?, user: UserID, at time: Timestamp) throws(AgentStoreError) {
        try write("cache a credential for \(user)") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO credentials (card_hash, user_id, pin_verifier, cached_at) VALUES (?, ?, ?, ?)",
                arguments: [blobValue(cardHash.bytes), user.value, pinVerifier.map(blobValue), time.millisecondsSinceEpoch])
        }
    }

    /// The cached credential of the card whose hash is `cardHash`; nil when none is cached.
    public func cachedCredential(cardHash: Hash32) throws(AgentStoreError) -> CachedCredential? {
        try read("look up a cached credential") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user_id, pin_verifier, cached_at FROM credentials WHERE card_hash = ?",
                                             arguments: [blobValue(cardHash.bytes)]) else { return nil }
            let key = cardHash.hex
            let text = try required(row.text(0), table: "credentials", key: key, column: "user_id")
            let user = try required(try? UserID(text), table: "credentials", key: key, column: "user_id")
            let verifier = row.isNull(1) ? nil : try required(row.bytes(1), table: "credentials", key: key, column: "pin_verifier")
            let cachedAt = try required(row.integer(2), table: "credentials", key: key, column: "cached_at")
            return CachedCredential(user: user, pinVerifier: verifier, cachedAt: Timestamp(millisecondsSinceEpoch: cachedAt))
        }
    }
}

// MARK: Session tags and small state

extension AgentStore {
    /// The next session tag: 1 for the store's first, then one more each time, across
    /// restarts (the increment is committed before the tag is returned). Never 0.
    public func nextSessionTag() throws(AgentStoreError) -> UInt32 {
        try write("take the next session tag") { db in
            let row = try Row.fetchOne(db, sql: "SELECT session_tag FROM agent_state WHERE id = 1")
            let current = try required(row?.integer(0), table: "agent_state", key: "1", column: "session_tag")
            guard current < Int64(UInt32.max) else { throw AgentStoreError.sessionTagsExhausted }
            try db.execute(sql: "UPDATE agent_state SET session_tag = ? WHERE id = 1", arguments: [current + 1])
            return UInt32(current + 1)
        }
    }

    /// Stores `value` under `key` (replacing what was there); nil removes the key.
    public func setValue(_ value: String?, forKey key: String) throws(AgentStoreError) {
        try write("set value \(key)") { db in
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO key_values (key, value) VALUES (?, ?)", arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM key_values WHERE key = ?", arguments: [key])
            }
        }
    }

    /// The value stored under `key`; nil when there is none.
    public func value(forKey key: String) throws(AgentStoreError) -> String? {
        try read("read value \(key)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT value FROM key_values WHERE key = ?", arguments: [key]) else { return nil }
            return try required(row.text(0), table: "key_values", key: key, column: "value")
        }
    }
}
