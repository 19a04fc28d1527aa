/// One copy job as a bill charges it (SPEC C1-C3): the canonical usage-detail entry. Both the
/// server (from the jobs it ingested) and the device (from its own event chain) build these from
/// their own data, and the usage hash over them must come out byte for byte the same.
///
/// Only what the device itself knows is here: no price (prices are the server's; a bill states
/// them per line beside the entry, see `Bill`). Colour is carried as the colour/mono page split.
/// Canonical encoding (docs/bills.md): device id, sequence `u64`, user id, started, ended,
/// pages `u32`, copies `u32`, colour pages `u32`, mono pages `u32`, duplex bool, paper size `u8`.
public struct UsageEntry: Hashable, Sendable {
    public let deviceID: DeviceID
    /// The sequence number of the device event that recorded the job.
    public let sequence: UInt64
    public let userID: UserID
    public let started: Timestamp
    public let ended: Timestamp
    public let pages: UInt32
    public let copies: UInt32
    public let colourPages: UInt32
    public let monoPages: UInt32
    public let duplex: Bool
    public let paperSize: PaperSize

    public init(
        deviceID: DeviceID, sequence: UInt64, userID: UserID, started: Timestamp, ended: Timestamp,
        pages: UInt32, copies: UInt32, colourPages: UInt32, monoPages: UInt32, duplex: Bool, paperSize: PaperSize
    ) {
        self.deviceID = deviceID
        self.sequence = sequence
        self.userID = userID
        self.started = started
        self.ended = ended
        self.pages = pages
        self.copies = copies
        self.colourPages = colourPages
        self.monoPages = monoPages
        self.duplex = duplex
        self.paperSize = paperSize
    }

    /// The entry of a copy-job event; nil for every other kind of event.
    public init?(event: Event) {
        guard case let .copyJob(job) = event.body else { return nil }
        self.init(
            deviceID: event.deviceID, sequence: event.sequence, userID: job.userID, started: job.started, ended: job.ended,
            pages: job.pages, copies: job.copies, colourPages: job.colourPages, monoPages: job.monoPages,
            duplex: job.duplex, paperSize: job.paperSize
        )
    }

    /// The canonical order: by device id (bytewise), then sequence.
    public static func canonicallyOrdered(_ lhs: UsageEntry, _ rhs: UsageEntry) -> Bool {
        lhs.deviceID == rhs.deviceID ? lhs.sequence < rhs.sequence : Array(lhs.deviceID.value.utf8).lexicographicallyPrecedes(Array(rhs.deviceID.value.utf8))
    }

    /// The fields by name and printed value, in encoding order: what a mismatch report names.
    public var fields: [(name: String, value: String)] {
        [
            ("device", deviceID.value), ("sequence", String(sequence)), ("user", userID.value),
            ("started", String(started.millisecondsSinceEpoch)), ("ended", String(ended.millisecondsSinceEpoch)),
            ("pages", String(pages)), ("copies", String(copies)), ("colourPages", String(colourPages)),
            ("monoPages", String(monoPages)), ("duplex", String(duplex)), ("paper", paperSize.description),
        ]
    }

    /// The first field in which `other` differs from this entry; nil when they are equal.
    public func firstDifference(from other: UsageEntry) -> (field: String, expected: String, found: String)? {
        for (mine, theirs) in zip(fields, other.fields) where mine.value != theirs.value {
            return (mine.name, mine.value, theirs.value)
        }
        return nil
    }
}

extension UsageEntry: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(deviceID)
        writer.u64(sequence)
        writer.encode(userID)
        writer.encode(started)
        writer.encode(ended)
        writer.u32(pages)
        writer.u32(copies)
        writer.u32(colourPages)
        writer.u32(monoPages)
        writer.bool(duplex)
        writer.encode(paperSize)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(
            deviceID: try reader.decode(),
            sequence: try reader.u64("sequence"),
            userID: try reader.decode(),
            started: try reader.decode(),
            ended: try reader.decode(),
            pages: try reader.u32("pages"),
            copies: try reader.u32("copies"),
            colourPages: try reader.u32("colour pages"),
            monoPages: try reader.u32("mono pages"),
            duplex: try reader.bool("duplex"),
            paperSize: try reader.decode()
        )
    }
}

/// Which usage a bill (or a device's answer) covers: the jobs of these users that ended in
/// `[start, end)`. An account is a user or a department; the device does not know departments,
/// so a bill names the users its account stood for when it was issued.
public struct UsageSelection: Hashable, Sendable {
    public let users: Set<UserID>
    public let start: Timestamp
    public let end: Timestamp

    public init(users: Set<UserID>, start: Timestamp, end: Timestamp) throws(WireError) {
        guard !users.isEmpty else { throw .invalidValue(field: "users", reason: "a bill covers at least one user") }
        guard start < end else { throw .invalidValue(field: "period", reason: "start \(start) is not before end \(end)") }
        self.users = users
        self.start = start
        self.end = end
    }

    public func contains(_ entry: UsageEntry) -> Bool {
        users.contains(entry.userID) && entry.ended >= start && entry.ended < end
    }
}

/// The usage hash (docs/bills.md): SHA-256 over the ASCII label `imprimatur-usage-v1`, the
/// entry count as `u64`, then each entry's canonical bytes, entries in canonical order.
public enum UsageHash {
    public static let label = "imprimatur-usage-v1"

    /// Sorts `entries` into canonical order and hashes them.
    public static func compute(_ entries: [UsageEntry]) -> Hash32 {
        computeSorted(entries.sorted(by: UsageEntry.canonicallyOrdered))
    }

    /// For entries already in canonical order.
    public static func computeSorted(_ entries: [UsageEntry]) -> Hash32 {
        var writer = ByteWriter(capacity: 32 + entries.count * 96)
        writer.raw(label.utf8)
        writer.u64(UInt64(entries.count))
        for entry in entries { writer.encode(entry) }
        return Hash32.sha256(writer.bytes)
    }
}
