import Protocol

/// A person known to the server.
public struct User: Hashable, Sendable {
    public let id: UserID
    public var name: String
    public var department: String?
    public var roles: Set<Role>
    public var active: Bool
    /// bcrypt of the PIN; nil when the user has none (then a card alone identifies them).
    public var pinHash: String?
    /// bcrypt of the web password; nil until one is set.
    public var passwordHash: String?
    public var created: Timestamp
    /// Card numbers, sorted.
    public var cards: [String]

    public init(
        id: UserID, name: String, department: String? = nil, roles: Set<Role>, active: Bool = true,
        pinHash: String? = nil, passwordHash: String? = nil, created: Timestamp, cards: [String] = []
    ) {
        self.id = id
        self.name = name
        self.department = department
        self.roles = roles
        self.active = active
        self.pinHash = pinHash
        self.passwordHash = passwordHash
        self.created = created
        self.cards = cards.sorted()
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}
