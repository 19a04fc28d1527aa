/// Puts a bill together from the server's data (pure): the entries with their event bytes and
/// proofs, each device's checkpoint, and the price table. Lines are priced from `prices`, so
/// the bill is consistent with itself by construction; `BillCheck` is what a reader trusts.
public enum BillBuilder {
    public struct Line: Sendable {
        public let entry: UsageEntry
        public let event: [UInt8]
        public let proof: [Hash32]

        public init(entry: UsageEntry, event: [UInt8], proof: [Hash32]) {
            self.entry = entry
            self.event = event
            self.proof = proof
        }
    }

    public struct Header: Sendable {
        public var id: String
        public var corrects: String?
        public var account: String
        public var selection: UsageSelection
        public var issuedAt: Timestamp
        public var currency: CurrencyCode?

        public init(id: String, corrects: String?, account: String, selection: UsageSelection, issuedAt: Timestamp, currency: CurrencyCode?) {
            self.id = id
            self.corrects = corrects
            self.account = account
            self.selection = selection
            self.issuedAt = issuedAt
            self.currency = currency
        }
    }

    public static func make(_ header: Header, lines: [Line], checkpoints: [DeviceID: SignedCheckpoint], prices: PriceTable) throws(BillError) -> Bill {
        let sorted = lines.sorted { UsageEntry.canonicallyOrdered($0.entry, $1.entry) }
        var billLines: [BillLine] = []
        billLines.reserveCapacity(sorted.count)
        for line in sorted {
            let colour = prices.price(paperSize: line.entry.paperSize, colour: true) ?? 0
            let mono = prices.price(paperSize: line.entry.paperSize, colour: false) ?? 0
            billLines.append(BillLine(entry: line.entry, colourPrice: colour, monoPrice: mono, event: line.event, proof: line.proof))
        }
        var devices: [BillDevice] = []
        var start = 0
        while start < sorted.count {
            let device = sorted[start].entry.deviceID
            var end = start
            while end < sorted.count && sorted[end].entry.deviceID == device { end += 1 }
            guard let checkpoint = checkpoints[device] else {
                throw .invalid(field: "checkpoints", reason: "no checkpoint of \(device) for its lines")
            }
            let entries = sorted[start..<end].map(\.entry)
            devices.append(BillDevice(
                device: device.value, usageHash: UsageHash.computeSorted(entries).hex, entryCount: entries.count,
                checkpoint: Hex.encode(checkpoint.wireBytes()), treeSize: checkpoint.checkpoint.treeSize, root: checkpoint.checkpoint.root.hex
            ))
            start = end
        }
        return Bill(
            format: Bill.currentFormat, id: header.id, corrects: header.corrects, account: header.account,
            users: header.selection.users.map(\.value).sorted(),
            periodStart: header.selection.start.millisecondsSinceEpoch, periodEnd: header.selection.end.millisecondsSinceEpoch,
            issuedAt: header.issuedAt.millisecondsSinceEpoch, currency: header.currency?.code,
            prices: prices.entries.map { BillPrice(paper: $0.paperSize.description, colour: $0.colour, pricePerPage: $0.pricePerPage) },
            amount: billLines.reduce(0) { $0 + $1.amount },
            usageHash: UsageHash.computeSorted(sorted.map(\.entry)).hex, entryCount: sorted.count,
            devices: devices, lines: billLines
        )
    }
}
