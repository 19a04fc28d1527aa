/// What a check found wrong with a bill: the first discrepancy, naming the line (job) and field.
public enum BillFinding: Hashable, Sendable, CustomStringConvertible {
    /// The bill's line and the device's entry (or the bill's own price table) disagree on `field`.
    case mismatch(line: String, field: String, bill: String, found: String)
    /// The bill charges a job the device has no record of.
    case notOnDevice(line: String)
    /// The device recorded a job of the account in the period that the bill leaves out.
    case missingFromBill(line: String)
    /// The bill's own totals or hashes do not follow from its lines.
    case inconsistent(field: String, reason: String)

    public var description: String {
        switch self {
        case let .mismatch(line, field, bill, found): return "line \(line): \(field) is \(bill) in the bill but \(found) on record"
        case let .notOnDevice(line): return "line \(line): the device has no such job for this account and period"
        case let .missingFromBill(line): return "job \(line): recorded by the device but not in the bill"
        case let .inconsistent(field, reason): return "\(field): \(reason)"
        }
    }

    /// The job the finding is about (`device #sequence`), when it is about one.
    public var line: String? {
        switch self {
        case let .mismatch(line, _, _, _), let .notOnDevice(line), let .missingFromBill(line): return line
        case .inconsistent: return nil
        }
    }
}

/// The checks of docs/bills.md, pure. None of them uses a server key: device checkpoints are
/// signed by the device's own keys, and prices are checked by arithmetic within the bill.
public enum BillCheck {
    /// The bill against itself: each line's unit prices are the bill's price table's, its amount
    /// is colour pages × colour price + mono pages × mono price, the total is the lines' sum,
    /// and the usage hashes and counts are those of the lines' entries.
    public static func checkInternal(_ bill: Bill) throws(BillError) -> BillFinding? {
        var table: [String: UInt32] = [:]
        for price in bill.prices { table["\(price.paper.lowercased())/\(price.colour)"] = price.pricePerPage }
        var total: Int64 = 0
        var entries: [UsageEntry] = []
        entries.reserveCapacity(bill.lines.count)
        for line in bill.lines {
            let entry = try line.entry()
            entries.append(entry)
            let colour = table["\(line.paper.lowercased())/true"] ?? 0
            let mono = table["\(line.paper.lowercased())/false"] ?? 0
            if line.colourPrice != colour {
                return .mismatch(line: line.name, field: "colour price", bill: String(line.colourPrice), found: "\(colour) in the bill's price table")
            }
            if line.monoPrice != mono {
                return .mismatch(line: line.name, field: "mono price", bill: String(line.monoPrice), found: "\(mono) in the bill's price table")
            }
            let amount = Int64(line.colourPages) * Int64(colour) + Int64(line.monoPages) * Int64(mono)
            if line.amount != amount {
                return .mismatch(line: line.name, field: "amount", bill: String(line.amount), found: "\(amount) from its pages and prices")
            }
            if line.colourPages + line.monoPages != line.pages {
                return .mismatch(line: line.name, field: "pages", bill: String(line.pages), found: "\(line.colourPages + line.monoPages) colour + mono pages")
            }
            total += amount
        }
        if total != bill.amount {
            return .inconsistent(field: "amount", reason: "the bill says \(bill.amount) but its lines add up to \(total)")
        }
        let sorted = entries.sorted(by: UsageEntry.canonicallyOrdered)
        if sorted != entries { return .inconsistent(field: "lines", reason: "not in canonical order (device, sequence)") }
        if bill.entryCount != entries.count {
            return .inconsistent(field: "entryCount", reason: "the bill says \(bill.entryCount) but has \(entries.count) lines")
        }
        let hash = UsageHash.computeSorted(entries).hex
        if bill.usageHash != hash { return .inconsistent(field: "usageHash", reason: "the bill says \(bill.usageHash) but its lines hash to \(hash)") }
        for section in bill.devices {
            let own = entries.filter { $0.deviceID.value == section.device }
            let ownHash = UsageHash.computeSorted(own).hex
            if section.usageHash != ownHash || section.entryCount != own.count {
                return .inconsistent(field: "devices.\(section.device)", reason: "states \(section.entryCount) entries hashing to \(section.usageHash), its lines are \(own.count) hashing to \(ownHash)")
            }
        }
        return nil
    }

    /// The bill's lines of `device` against the device's own entries (both in canonical
    /// order): the first line that differs, or a job on one side only.
    public static func compare(_ bill: Bill, device: DeviceID, deviceEntries: [UsageEntry]) throws(BillError) -> BillFinding? {
        let billEntries = try bill.lines.filter { $0.device == device.value }.map { line throws(BillError) in try line.entry() }
        var index = 0
        while index < billEntries.count || index < deviceEntries.count {
            guard index < deviceEntries.count else { return .notOnDevice(line: name(billEntries[index])) }
            guard index < billEntries.count else { return .missingFromBill(line: name(deviceEntries[index])) }
            let billed = billEntries[index]
            let recorded = deviceEntries[index]
            if billed.sequence < recorded.sequence { return .notOnDevice(line: name(billed)) }
            if billed.sequence > recorded.sequence { return .missingFromBill(line: name(recorded)) }
            if let difference = billed.firstDifference(from: recorded) {
                return .mismatch(line: name(billed), field: difference.field, bill: difference.expected, found: difference.found)
            }
            index += 1
        }
        return nil
    }

    private static func name(_ entry: UsageEntry) -> String { "\(entry.deviceID) #\(entry.sequence)" }

    /// One line alone against the bill's checkpoint for its device: the checkpoint is signed by
    /// one of `deviceKeys` for `device`, the line's event bytes are the job the line states, and
    /// the inclusion proof leads from that event's leaf to the checkpoint's root.
    public static func checkLine(_ line: BillLine, in bill: Bill, device: DeviceID, deviceKeys: [PublicKey]) throws(BillError) -> BillFinding? {
        guard line.device == device.value else {
            throw .invalid(field: "line", reason: "line \(line.name) is from \(line.device), not from this device (\(device))")
        }
        guard let section = bill.section(for: device) else {
            throw .invalid(field: "devices", reason: "no checkpoint for \(device)")
        }
        guard let tokenBytes = Hex.decode(section.checkpoint), let signed = try? SignedCheckpoint(wireBytes: tokenBytes) else {
            throw .invalid(field: "devices.\(device).checkpoint", reason: "not a signed checkpoint in hex")
        }
        guard let key = deviceKeys.first(where: { $0.keyID == signed.checkpoint.keyID }) else {
            return .inconsistent(field: "devices.\(device).checkpoint", reason: "signed by key \(signed.checkpoint.keyID), not a key of this device")
        }
        do {
            try signed.verify(devicePublicKey: key, device: device)
        } catch {
            return .inconsistent(field: "devices.\(device).checkpoint", reason: "\(error)")
        }
        let checkpoint = signed.checkpoint
        guard checkpoint.treeSize == section.treeSize, checkpoint.root.hex == section.root else {
            return .inconsistent(field: "devices.\(device)", reason: "tree size and root differ from the signed checkpoint's")
        }
        guard let eventBytes = Hex.decode(line.event), let event = try? Event(wireBytes: eventBytes) else {
            throw .invalid(field: "line \(line.name).event", reason: "not an event in hex")
        }
        guard event.deviceID == device, event.sequence == line.sequence else {
            return .mismatch(line: line.name, field: "event", bill: "\(line.device) #\(line.sequence)", found: "event of \(event.deviceID) #\(event.sequence)")
        }
        guard let recorded = UsageEntry(event: event) else {
            return .mismatch(line: line.name, field: "event", bill: "a copy job", found: "a \(event.body.kind) event")
        }
        if let difference = try line.entry().firstDifference(from: recorded) {
            return .mismatch(line: line.name, field: difference.field, bill: difference.expected, found: "\(difference.found) in the event")
        }
        var proof: [Hash32] = []
        for text in line.proof {
            guard let bytes = Hex.decode(text), let hash = try? Hash32(bytes: bytes) else {
                throw .invalid(field: "line \(line.name).proof", reason: "\"\(text.prefix(80))\" is not a 32-byte hash in hex")
            }
            proof.append(hash)
        }
        guard line.sequence >= 1, MerkleTree.verifyInclusion(
            leafHash: MerkleHash.leaf(eventBytes), index: line.sequence - 1, treeSize: checkpoint.treeSize, proof: proof, root: checkpoint.root
        ) else {
            return .mismatch(line: line.name, field: "proof", bill: "\(proof.count) hashes", found: "no path to the root of checkpoint \(checkpoint.treeSize)")
        }
        return nil
    }
}
