import Protocol

/// A grant the server signed, as kept in `grants_issued`.
public struct IssuedGrant: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case access, limit }

    public let grantID: GrantID
    public let kind: Kind
    public let keyID: KeyID
    public let userID: UserID
    public let deviceID: DeviceID
    /// The copier or seal (access grants only).
    public let resourceID: ResourceID?
    public let issuedAt: Timestamp
    public let expires: Timestamp
    /// Access grants: what it allows.
    public let allowance: Allowance?
    /// Limit grants: the available amount.
    public let available: Int64?
    /// Seal access grants: the application they were issued for (so a revocation can name them).
    public let applicationID: ApplicationID?

    public init(
        grantID: GrantID, kind: Kind, keyID: KeyID, userID: UserID, deviceID: DeviceID, resourceID: ResourceID?,
        issuedAt: Timestamp, expires: Timestamp, allowance: Allowance?, available: Int64?, applicationID: ApplicationID? = nil
    ) {
        self.applicationID = applicationID
        self.grantID = grantID
        self.kind = kind
        self.keyID = keyID
        self.userID = userID
        self.deviceID = deviceID
        self.resourceID = resourceID
        self.issuedAt = issuedAt
        self.expires = expires
        self.allowance = allowance
        self.available = available
    }
}

/// A one-time device enrolment token, as stored: only the SHA-256 of the token.
public struct EnrollmentToken: Hashable, Sendable {
    public let tokenHash: Hash32
    /// The name the device will get.
    public let name: String
    public let createdBy: String
    public let created: Timestamp
    public let expires: Timestamp
    /// When it was used and by which device; nil while unused.
    public let used: Timestamp?
    public let usedBy: DeviceID?

    public init(tokenHash: Hash32, name: String, createdBy: String, created: Timestamp, expires: Timestamp, used: Timestamp? = nil, usedBy: DeviceID? = nil) {
        self.tokenHash = tokenHash
        self.name = name
        self.createdBy = createdBy
        self.created = created
        self.expires = expires
        self.used = used
        self.usedBy = usedBy
    }
}

/// Something the server noticed that an operator should look at: a chain break, a bad
/// signature, a burst of wrong PINs, a refused enrolment.
public struct SecurityEvent: Hashable, Sendable {
    public let id: Int64?
    public let at: Timestamp
    public let kind: String
    public let deviceID: DeviceID?
    public let userID: UserID?
    public let detail: String

    public init(id: Int64? = nil, at: Timestamp, kind: String, deviceID: DeviceID? = nil, userID: UserID? = nil, detail: String) {
        self.id = id
        self.at = at
        self.kind = kind
        self.deviceID = deviceID
        self.userID = userID
        self.detail = detail
    }
}
