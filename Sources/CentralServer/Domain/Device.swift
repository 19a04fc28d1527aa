import Protocol

/// Whether an enrolled device may be granted anything.
public enum DeviceState: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case active
    /// An administrator switched it off: every grant request is refused `deviceDisabled`.
    case disabled

    public var description: String { rawValue }
}

/// A copier or seal attached to a device (the agent's box).
public struct DeviceResource: Hashable, Sendable {
    public let id: ResourceID
    public let type: ResourceType

    public init(id: ResourceID, type: ResourceType) {
        self.id = id
        self.type = type
    }
}

/// An enrolled device (SPEC F1): the agent's box with its own Ed25519 key.
public struct Device: Hashable, Sendable {
    public let id: DeviceID
    public var name: String
    public var model: String
    public var firmware: String
    public var publicKey: PublicKey
    public var enrolledAt: Timestamp
    public var lastSeen: Timestamp?
    public var state: DeviceState
    public var resources: [DeviceResource]

    public init(
        id: DeviceID, name: String, model: String, firmware: String, publicKey: PublicKey,
        enrolledAt: Timestamp, lastSeen: Timestamp? = nil, state: DeviceState = .active, resources: [DeviceResource]
    ) {
        self.id = id
        self.name = name
        self.model = model
        self.firmware = firmware
        self.publicKey = publicKey
        self.enrolledAt = enrolledAt
        self.lastSeen = lastSeen
        self.state = state
        self.resources = resources.sorted { $0.id < $1.id }
    }

    public func resource(_ id: ResourceID) -> DeviceResource? { resources.first { $0.id == id } }
}

/// One row of a device's permission list: a user, or everyone in a department.
public enum DevicePermission: Hashable, Sendable, CustomStringConvertible {
    case user(UserID)
    case department(String)

    public var description: String {
        switch self {
        case let .user(id): return "user \(id)"
        case let .department(name): return "department \(name)"
        }
    }

    /// The permission rule (docs/server.md, "Who may use a device"): a device with no permission
    /// rows is open to every user; once it has any, only the users it names and the members of
    /// the departments it names may use it.
    public static func allows(_ user: User, permissions: [DevicePermission]) -> Bool {
        guard !permissions.isEmpty else { return true }
        return permissions.contains { permission in
            switch permission {
            case let .user(id): return id == user.id
            case let .department(name): return user.department == name
            }
        }
    }
}
