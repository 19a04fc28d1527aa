/// Why a photo was taken (SPEC A3, E4). The raw value is the `u8` on the wire.
public enum PhotoReason: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// The user's face at unlock (A3).
    case unlock = 1
    /// The stamped document, taken at each stamp (E4, automatic mode).
    case sealStamp = 2
    /// The stamped documents, taken after all stamps (E4, manual mode).
    case afterStamps = 3

    public var description: String {
        switch self {
        case .unlock: return "unlock"
        case .sealStamp: return "seal stamp"
        case .afterStamps: return "after stamps"
        }
    }
}

extension PhotoReason: WireEnum {
    public static let wireField = "photo reason"
}

/// A photo taken by the box's camera; the image is a blob uploaded separately and pinned here
/// by hash and size.
public struct PhotoEvent: Hashable, Sendable {
    public let sessionID: UInt64
    /// SHA-256 of the image bytes.
    public let blobHash: Hash32
    public let byteCount: UInt64
    /// `type/subtype`, for example `image/jpeg`.
    public let mediaType: MediaType
    public let reason: PhotoReason

    public init(sessionID: UInt64, blobHash: Hash32, byteCount: UInt64, mediaType: MediaType, reason: PhotoReason) {
        self.sessionID = sessionID
        self.blobHash = blobHash
        self.byteCount = byteCount
        self.mediaType = mediaType
        self.reason = reason
    }
}

extension PhotoEvent: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(sessionID)
        writer.encode(blobHash)
        writer.u64(byteCount)
        writer.encode(mediaType)
        writer.encode(reason)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(
            sessionID: try reader.u64("session id"),
            blobHash: try Hash32(from: &reader, field: "blob hash"),
            byteCount: try reader.u64("byte count"),
            mediaType: try reader.decode(),
            reason: try reader.decode()
        )
    }
}
