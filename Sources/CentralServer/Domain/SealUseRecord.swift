import Protocol

/// One stamp as the server keeps it (SPEC E6, E8): the seal-use event from the device, with the
/// server's own count against the application.
public struct SealUseRecord: Hashable, Sendable {
    public let deviceID: DeviceID
    public let eventSequence: UInt64
    public let applicationID: ApplicationID
    /// The application's seal; nil when the event named an unknown application.
    public let seal: ResourceID?
    public let userID: UserID
    public let grantID: GrantID
    public let sessionID: UInt64
    public let at: Timestamp
    public let location: SealLocation
    /// The photo taken at the stamp (automatic mode), then any taken after the stamps (manual mode).
    public let photos: [Hash32]
    /// The server's count for the application after this use (nil: unknown application).
    public let useNumber: UInt32?
    public let usesRemaining: UInt32?
    /// The security event's kind when this use should not have happened.
    public let flagged: String?

    public init(
        deviceID: DeviceID, eventSequence: UInt64, applicationID: ApplicationID, seal: ResourceID?, userID: UserID, grantID: GrantID,
        sessionID: UInt64, at: Timestamp, location: SealLocation, photos: [Hash32], useNumber: UInt32?, usesRemaining: UInt32?, flagged: String?
    ) {
        self.deviceID = deviceID
        self.eventSequence = eventSequence
        self.applicationID = applicationID
        self.seal = seal
        self.userID = userID
        self.grantID = grantID
        self.sessionID = sessionID
        self.at = at
        self.location = location
        self.photos = photos
        self.useNumber = useNumber
        self.usesRemaining = usesRemaining
        self.flagged = flagged
    }
}

/// Which seal records to read (SPEC E8): by seal, person, application and time `[from, to)`.
public struct SealUseFilter: Hashable, Sendable {
    public var seal: ResourceID?
    public var user: UserID?
    public var application: ApplicationID?
    public var from: Timestamp?
    public var to: Timestamp?
    public var limit: Int

    public init(seal: ResourceID? = nil, user: UserID? = nil, application: ApplicationID? = nil, from: Timestamp? = nil, to: Timestamp? = nil, limit: Int = 10_000) {
        self.seal = seal
        self.user = user
        self.application = application
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// Where webhook notices go, and the shared secret their HMAC-SHA256 signature uses.
public struct WebhookTarget: Hashable, Sendable {
    public let url: String
    public let secret: String

    public init(url: String, secret: String) {
        self.url = url
        self.secret = secret
    }
}

/// One webhook notice waiting in the durable outbox.
public struct WebhookOutboxItem: Hashable, Sendable {
    public let id: Int64
    /// The JSON body, exactly as signed and sent.
    public let payload: [UInt8]
    public let attempts: Int
    public let nextAttempt: Timestamp
    public let delivered: Timestamp?
    public let lastError: String?

    public init(id: Int64, payload: [UInt8], attempts: Int, nextAttempt: Timestamp, delivered: Timestamp?, lastError: String?) {
        self.id = id
        self.payload = payload
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.delivered = delivered
        self.lastError = lastError
    }
}
