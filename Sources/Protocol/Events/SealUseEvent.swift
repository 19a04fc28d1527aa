/// One stamp with the company seal (SPEC E4, E6): which approved application it used, which use
/// of how many, where, and the photo of the stamped document when one was taken at the stamp.
public struct SealUseEvent: Hashable, Sendable {
    public let sessionID: UInt64
    /// The approved seal application (E1-E2) the use counts against: the same id a seal grant
    /// and a grant request name.
    public let applicationID: ApplicationID
    public let grantID: GrantID
    public let userID: UserID
    /// 1 for the first use under the grant.
    public let useNumber: UInt32
    public let usesRemaining: UInt32
    public let location: SealLocation
    /// SHA-256 of the photo taken at this stamp (automatic photo mode), if any.
    public let photoHash: Hash32?

    public init(
        sessionID: UInt64, applicationID: ApplicationID, grantID: GrantID, userID: UserID,
        useNumber: UInt32, usesRemaining: UInt32, location: SealLocation, photoHash: Hash32?
    ) throws(WireError) {
        try FieldRules.checkAtLeastOne(useNumber, "use number")
        self.sessionID = sessionID
        self.applicationID = applicationID
        self.grantID = grantID
        self.userID = userID
        self.useNumber = useNumber
        self.usesRemaining = usesRemaining
        self.location = location
        self.photoHash = photoHash
    }
}

extension SealUseEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.encode(applicationID)
        writer.encode(grantID)
        writer.encode(userID)
        writer.u32(useNumber)
        writer.u32(usesRemaining)
        writer.encode(location)
        writer.optional(photoHash)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            sessionID: try reader.u64("session id"),
            applicationID: try reader.decode(),
            grantID: try reader.decode(),
            userID: try reader.decode(),
            useNumber: try reader.u32("use number"),
            usesRemaining: try reader.u32("uses remaining"),
            location: try reader.decode(),
            photoHash: try reader.optional("photo hash")
        )
    }
}
