/// The signed content of an access grant: who may use which copier or seal on which device,
/// how much, and when. Layout: docs/grants.md, "Access grant claims".
///
/// Every instance is valid: the initializer and the decoder apply the same checks, so a grant
/// that decodes is one the server could have built.
public struct GrantClaims: Hashable, Sendable {
    public static let signatureLabel = "imprimatur-grant-v1"
    /// The largest possible encoding (four 64-byte identifiers); the token's length prefix is
    /// refused above this before anything is read.
    public static let maximumByteCount = 512

    public let grantID: GrantID
    /// The server key that signs this grant.
    public let keyID: KeyID
    public let deviceID: DeviceID
    /// The user the grant is for.
    public let subject: UserID
    /// The copier or seal it unlocks.
    public let resourceID: ResourceID
    public let resourceType: ResourceType
    public let allowance: Allowance
    /// The approved application a seal grant was issued for; always nil for a copier grant.
    public let applicationID: ApplicationID?
    public let issuedAt: Timestamp
    public let notBefore: Timestamp
    public let expires: Timestamp

    public init(
        grantID: GrantID,
        keyID: KeyID,
        deviceID: DeviceID,
        subject: UserID,
        resourceID: ResourceID,
        resourceType: ResourceType,
        allowance: Allowance,
        applicationID: ApplicationID? = nil,
        issuedAt: Timestamp,
        notBefore: Timestamp,
        expires: Timestamp
    ) throws(WireError) {
        self.grantID = grantID
        self.keyID = keyID
        self.deviceID = deviceID
        self.subject = subject
        self.resourceID = resourceID
        self.resourceType = resourceType
        self.allowance = allowance
        self.applicationID = applicationID
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expires = expires
        try validate()
    }

    private func validate() throws(WireError) {
        try issuedAt.requireEncodable(as: "issued at")
        try notBefore.requireEncodable(as: "not before")
        try expires.requireEncodable(as: "expires")
        guard expires > notBefore else {
            throw .invalidValue(field: "expires", reason: "must be after not before (\(notBefore)), got \(expires)")
        }
        guard issuedAt <= expires else {
            throw .invalidValue(field: "issued at", reason: "must not be after expires (\(expires)), got \(issuedAt)")
        }
        try allowance.validate(for: resourceType)
        if resourceType == .copier, applicationID != nil {
            throw .invalidValue(field: "application id", reason: "only a seal grant names an application")
        }
    }
}

extension GrantClaims: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u8(GrantWire.formatVersion)
        writer.encode(grantID)
        writer.encode(keyID)
        writer.encode(deviceID)
        writer.encode(subject)
        writer.encode(resourceID)
        writer.encode(resourceType)
        writer.encode(allowance)
        writer.optional(applicationID)
        writer.encode(issuedAt)
        writer.encode(notBefore)
        writer.encode(expires)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try GrantWire.formatVersion("grant format version", from: &reader)
        try self.init(
            grantID: try reader.decode(),
            keyID: try reader.decode(),
            deviceID: try reader.decode(),
            subject: try reader.decode(),
            resourceID: try reader.decode(),
            resourceType: try reader.decode(),
            allowance: try reader.decode(),
            applicationID: try reader.optional("application id"),
            issuedAt: try Timestamp(from: &reader, field: "issued at"),
            notBefore: try Timestamp(from: &reader, field: "not before"),
            expires: try Timestamp(from: &reader, field: "expires")
        )
    }
}

extension GrantClaims: SignedTokenContent {
    public static var tokenField: String { "grant claims" }
    public static var lengthPrefix: LengthPrefix { .u16 }
    public static var maximumContentLength: Int { maximumByteCount }
}
