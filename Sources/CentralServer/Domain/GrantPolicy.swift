/// The numbers behind every grant decision. The defaults are what `serve` uses; tests pass
/// their own. All durations are milliseconds.
public struct GrantPolicy: Hashable, Sendable {
    /// How long an access grant stays valid after it is issued: long enough to walk to the
    /// copier and start, short enough that a lost grant is soon worthless.
    public var grantLifetime: Int64
    /// How long a limit grant stays valid (never past its quota period's end).
    public var limitGrantLifetime: Int64
    /// The most pages one access grant allows, however much quota is left.
    public var sessionPageCap: UInt32
    /// The most uses one seal grant allows, however many the application has left.
    public var sessionSealUseCap: UInt32
    /// A device clock further than this from the server's is refused `deviceClockSkew`; grants
    /// start this long before `issued at` so that a device clock that is behind by up to this
    /// much still accepts them.
    public var maximumDeviceClockSkew: Int64
    public var userPINLimit: PINRateLimit
    public var devicePINLimit: PINRateLimit
    /// What a payment does after repaying the overdraft used (docs/quotas.md).
    public var payments: PaymentPolicy
    /// How often every connected device gets fresh limit grants for its users, so that they are
    /// renewed well before they expire (docs/quotas.md, "Reaching the devices").
    public var limitRefreshInterval: Int64

    public init(
        grantLifetime: Int64 = 10 * 60_000,
        limitGrantLifetime: Int64 = 24 * 3_600_000,
        sessionPageCap: UInt32 = 500,
        sessionSealUseCap: UInt32 = 100,
        maximumDeviceClockSkew: Int64 = 5 * 60_000,
        userPINLimit: PINRateLimit = .perUser,
        devicePINLimit: PINRateLimit = .perDevice,
        payments: PaymentPolicy = .firstLimit,
        limitRefreshInterval: Int64 = 3_600_000
    ) {
        self.grantLifetime = max(1, grantLifetime)
        self.limitGrantLifetime = max(1, limitGrantLifetime)
        self.sessionPageCap = max(1, sessionPageCap)
        self.sessionSealUseCap = max(1, sessionSealUseCap)
        self.maximumDeviceClockSkew = max(0, maximumDeviceClockSkew)
        self.userPINLimit = userPINLimit
        self.devicePINLimit = devicePINLimit
        self.payments = payments
        self.limitRefreshInterval = max(1000, limitRefreshInterval)
    }

    /// The longest any grant signed under this policy lives: how long a retired signing key must
    /// stay published for the grants it signed to keep verifying.
    public var maximumGrantLifetime: Int64 { max(grantLifetime, limitGrantLifetime) }
}
