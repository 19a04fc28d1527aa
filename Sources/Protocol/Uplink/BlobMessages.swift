extension UplinkMessage {
    /// Agent → server: the agent has a photo or scan to upload, named by its SHA-256. The server
    /// answers with `blobStatus`, which says where to resume.
    public struct BlobOffer: Hashable, Sendable {
        public let hash: Hash32
        /// 1 byte to 1 GiB.
        public let totalSize: UInt64
        public let mediaType: MediaType

        public init(hash: Hash32, totalSize: UInt64, mediaType: MediaType) throws(WireError) {
            guard (1...UplinkLimits.blobSize).contains(totalSize) else {
                throw .invalidValue(field: "blob size", reason: "\(totalSize) is not between 1 and \(UplinkLimits.blobSize)")
            }
            self.hash = hash
            self.totalSize = totalSize
            self.mediaType = mediaType
        }
    }

    /// Agent → server: `data` is the blob's bytes from `offset` on.
    public struct BlobChunk: Hashable, Sendable {
        public let hash: Hash32
        public let offset: UInt64
        /// 1 byte to 512 KiB, ending within the largest blob size.
        public let data: [UInt8]

        public init(hash: Hash32, offset: UInt64, data: [UInt8]) throws(WireError) {
            try FieldRules.checkBytes(data.count, "blob data", limit: UplinkLimits.chunkSize)
            try UplinkFieldRules.checkChunk(offset: offset, count: data.count, limit: UplinkLimits.blobSize, "blob chunk")
            self.hash = hash
            self.offset = offset
            self.data = data
        }
    }

    /// Server → agent: what the server holds of a blob.
    public struct BlobStatus: Hashable, Sendable {
        public enum State: Hashable, Sendable {
            /// Tag 1: the server holds the first `bytesHeld` bytes; the agent sends from there.
            /// After a hash mismatch the server discards the blob and says 0.
            case receiving(bytesHeld: UInt64)
            /// Tag 2: the whole blob is stored and its SHA-256 checked; the agent may delete it.
            case complete
        }

        public let hash: Hash32
        public let state: State

        public init(hash: Hash32, state: State) throws(WireError) {
            if case let .receiving(bytesHeld) = state, bytesHeld >= UplinkLimits.blobSize {
                throw .invalidValue(field: "bytes held", reason: "\(bytesHeld) is not below the maximum blob size \(UplinkLimits.blobSize)")
            }
            self.hash = hash
            self.state = state
        }
    }
}

extension UplinkMessage.BlobOffer: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(hash)
        writer.u64(totalSize)
        writer.encode(mediaType)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            hash: try Hash32(from: &reader, field: "blob hash"),
            totalSize: try reader.u64("blob size"),
            mediaType: try reader.decode()
        )
    }
}

extension UplinkMessage.BlobChunk: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(hash)
        writer.u64(offset)
        writer.bytes(data, .u32)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            hash: try Hash32(from: &reader, field: "blob hash"),
            offset: try reader.u64("blob offset"),
            data: try reader.bytes("blob data", .u32, limit: UplinkLimits.chunkSize)
        )
    }
}

extension UplinkMessage.BlobStatus: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(hash)
        switch state {
        case let .receiving(bytesHeld):
            writer.u8(1)
            writer.u64(bytesHeld)
        case .complete:
            writer.u8(2)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let hash = try Hash32(from: &reader, field: "blob hash")
        let state: State
        switch try reader.u8("blob state") {
        case 1: state = .receiving(bytesHeld: try reader.u64("bytes held"))
        case 2: state = .complete
        case let tag: throw .unknownTag(field: "blob state", tag: UInt64(tag))
        }
        try self.init(hash: hash, state: state)
    }
}
