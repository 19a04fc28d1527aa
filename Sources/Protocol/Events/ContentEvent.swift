/// One scanned page image of a copy job (SPEC A5). The image itself is a blob uploaded
/// separately; the event pins it by hash and size so the upload can be checked against the log.
public struct ContentEvent: Hashable, Sendable {
    /// The session the job ran in.
    public let sessionID: UInt64
    /// The copier's job number, matching `CopyJobEvent.copierJobSequence`.
    public let copierJobSequence: UInt32
    /// 1 for the first scanned page.
    public let pageNumber: UInt32
    /// SHA-256 of the image bytes.
    public let blobHash: Hash32
    public let byteCount: UInt64
    /// `type/subtype`, for example `image/png`.
    public let mediaType: MediaType

    public init(
        sessionID: UInt64, copierJobSequence: UInt32, pageNumber: UInt32,
        blobHash: Hash32, byteCount: UInt64, mediaType: MediaType
    ) throws(WireError) {
        try FieldRules.checkAtLeastOne(pageNumber, "page number")
        self.sessionID = sessionID
        self.copierJobSequence = copierJobSequence
        self.pageNumber = pageNumber
        self.blobHash = blobHash
        self.byteCount = byteCount
        self.mediaType = mediaType
    }
}

extension ContentEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.u32(copierJobSequence)
        writer.u32(pageNumber)
        writer.encode(blobHash)
        writer.u64(byteCount)
        writer.encode(mediaType)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            sessionID: try reader.u64("session id"),
            copierJobSequence: try reader.u32("copier job sequence"),
            pageNumber: try reader.u32("page number"),
            blobHash: try Hash32(from: &reader, field: "blob hash"),
            byteCount: try reader.u64("byte count"),
            mediaType: try reader.decode()
        )
    }
}
