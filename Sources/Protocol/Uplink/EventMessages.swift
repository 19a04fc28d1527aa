extension UplinkMessage {
    /// Agent → server: consecutive events from the device's hash chain. The events are the
    /// events part's canonical encodings (docs/events.md), carried untouched; their sequence
    /// numbers are implied: `firstSequence`, `firstSequence + 1`, ...
    public struct EventBatch: Hashable, Sendable {
        public let firstSequence: UInt64
        /// 1 to 10,000 events, each 1 to 65,536 bytes.
        public let events: [[UInt8]]

        /// The sequence number of the last event in the batch.
        public var lastSequence: UInt64 { firstSequence + UInt64(events.count) - 1 }

        public init(firstSequence: UInt64, events: [[UInt8]]) throws(WireError) {
            guard !events.isEmpty else { throw .invalidValue(field: "events", reason: "a batch holds at least one event") }
            guard events.count <= UplinkLimits.eventBatchCount else {
                throw .tooLong(field: "events", length: events.count, limit: UplinkLimits.eventBatchCount)
            }
            guard !firstSequence.addingReportingOverflow(UInt64(events.count - 1)).overflow else {
                throw .invalidValue(field: "first sequence", reason: "\(firstSequence) + \(events.count - 1) overflows u64")
            }
            for event in events {
                try FieldRules.checkBytes(event.count, "event", limit: UplinkLimits.eventSize)
            }
            self.firstSequence = firstSequence
            self.events = events
        }
    }

    /// Server → agent: every event up to and including `sequence` is stored durably; the agent
    /// may stop resending them.
    public struct Ack: Hashable, Sendable {
        public let sequence: UInt64

        public init(sequence: UInt64) { self.sequence = sequence }
    }

    /// Agent → server: a signed checkpoint (Merkle root over the device's events, docs/events.md),
    /// carried untouched.
    public struct Checkpoint: Hashable, Sendable {
        public let token: [UInt8]

        public init(token: [UInt8]) throws(WireError) {
            try FieldRules.checkBytes(token.count, "checkpoint", limit: UplinkLimits.checkpointTokenSize)
            self.token = token
        }
    }

    /// Server (or a customer, through it) → agent: asks the device for the hash of one account's
    /// usage data over `[periodStart, periodEnd)` (SPEC C3).
    public struct UsageHashQuery: Hashable, Sendable {
        /// Chosen by the asker; the answer repeats it, even on a later connection.
        public let queryID: UInt64
        public let accountID: AccountID
        public let periodStart: Timestamp
        public let periodEnd: Timestamp

        public init(queryID: UInt64, accountID: AccountID, periodStart: Timestamp, periodEnd: Timestamp) throws(WireError) {
            guard periodStart < periodEnd else {
                throw .invalidValue(field: "period", reason: "start \(periodStart) is not before end \(periodEnd)")
            }
            self.queryID = queryID
            self.accountID = accountID
            self.periodStart = periodStart
            self.periodEnd = periodEnd
        }
    }

    /// Agent → server: the device's answer to a `usageHashQuery`.
    public struct UsageHashAnswer: Hashable, Sendable {
        public let queryID: UInt64
        /// How many usage entries the hash covers.
        public let entryCount: UInt64
        /// The hash over those entries (its construction belongs to docs/events.md).
        public let usageHash: Hash32
        /// The signed checkpoint the entries were checked against: its tree size and root.
        public let treeSize: UInt64
        public let treeRoot: Hash32
        /// True only when the device re-verified its chain and checkpoint before answering.
        public let verifiedUnaltered: Bool

        public init(queryID: UInt64, entryCount: UInt64, usageHash: Hash32, treeSize: UInt64, treeRoot: Hash32, verifiedUnaltered: Bool) {
            self.queryID = queryID
            self.entryCount = entryCount
            self.usageHash = usageHash
            self.treeSize = treeSize
            self.treeRoot = treeRoot
            self.verifiedUnaltered = verifiedUnaltered
        }
    }
}

extension UplinkMessage.EventBatch: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(firstSequence)
        writer.length(events.count, .u16)
        for event in events { writer.bytes(event, .u32) }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let first = try reader.u64("first sequence")
        // Each event takes at least its 4-byte length and 1 byte, which bounds the count by the input.
        let count = try reader.length("events", .u16, limit: UplinkLimits.eventBatchCount, unitSize: 5)
        var events: [[UInt8]] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            events.append(try reader.bytes("event", .u32, limit: UplinkLimits.eventSize))
        }
        try self.init(firstSequence: first, events: events)
    }
}

extension UplinkMessage.Ack: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.u64(sequence) }

    public init(from reader: inout ByteReader) throws(WireError) {
        sequence = try reader.u64("acknowledged sequence")
    }
}

extension UplinkMessage.Checkpoint: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.bytes(token, .u16) }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(token: try reader.bytes("checkpoint", .u16, limit: UplinkLimits.checkpointTokenSize))
    }
}

extension UplinkMessage.UsageHashQuery: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(queryID)
        writer.encode(accountID)
        writer.encode(periodStart)
        writer.encode(periodEnd)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            queryID: try reader.u64("query id"),
            accountID: try reader.decode(),
            periodStart: try Timestamp(from: &reader, field: "period start"),
            periodEnd: try Timestamp(from: &reader, field: "period end")
        )
    }
}

extension UplinkMessage.UsageHashAnswer: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.u64(queryID)
        writer.u64(entryCount)
        writer.encode(usageHash)
        writer.u64(treeSize)
        writer.encode(treeRoot)
        writer.bool(verifiedUnaltered)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        queryID = try reader.u64("query id")
        entryCount = try reader.u64("entry count")
        usageHash = try Hash32(from: &reader, field: "usage hash")
        treeSize = try reader.u64("tree size")
        treeRoot = try Hash32(from: &reader, field: "tree root")
        verifiedUnaltered = try reader.bool("verified unaltered")
    }
}
