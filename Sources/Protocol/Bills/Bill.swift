import Foundation

/// A bill as the server issues it and the customer checks it (SPEC C2, docs/bills.md). JSON;
/// times are milliseconds since the Unix epoch, hashes and signed tokens lowercase hex.
///
/// The usage hashes cover only usage (`UsageEntry`): the device can recompute them from its own
/// log. Prices are the server's: each line states the unit prices applied, the bill states its
/// price table, and a checker recomputes every line's amount and the total from them
/// (`BillCheck.checkPricing`), so a price changed on one line is caught without the device.
public struct Bill: Codable, Hashable, Sendable {
    public static let currentFormat = "imprimatur-bill-v1"

    public var format: String
    public var id: String
    /// The bill this one corrects (bills are never changed; a correction is a new bill).
    public var corrects: String?
    /// `user:<id>` or `department:<name>`.
    public var account: String
    /// The users the account stood for at issue; their jobs are the bill's.
    public var users: [String]
    public var periodStart: Int64
    public var periodEnd: Int64
    public var issuedAt: Int64
    public var currency: String?
    public var prices: [BillPrice]
    /// Minor units of `currency`: the sum of the lines' amounts.
    public var amount: Int64
    /// Over every line's entry, all devices together.
    public var usageHash: String
    public var entryCount: Int
    /// Per device: its part of the usage and the signed checkpoint that covers its lines.
    public var devices: [BillDevice]
    /// In canonical order (device, sequence).
    public var lines: [BillLine]
}

public struct BillPrice: Codable, Hashable, Sendable {
    public var paper: String
    public var colour: Bool
    public var pricePerPage: UInt32

    public init(paper: String, colour: Bool, pricePerPage: UInt32) {
        self.paper = paper
        self.colour = colour
        self.pricePerPage = pricePerPage
    }
}

public struct BillDevice: Codable, Hashable, Sendable {
    public var device: String
    /// The usage hash over this device's lines only: what the device answers.
    public var usageHash: String
    public var entryCount: Int
    /// The device's signed checkpoint (`SignedCheckpoint` bytes) every line's proof leads to.
    public var checkpoint: String
    public var treeSize: UInt64
    public var root: String

    public init(device: String, usageHash: String, entryCount: Int, checkpoint: String, treeSize: UInt64, root: String) {
        self.device = device
        self.usageHash = usageHash
        self.entryCount = entryCount
        self.checkpoint = checkpoint
        self.treeSize = treeSize
        self.root = root
    }
}

public struct BillLine: Codable, Hashable, Sendable {
    public var device: String
    public var sequence: UInt64
    public var user: String
    public var started: Int64
    public var ended: Int64
    public var pages: UInt32
    public var copies: UInt32
    public var colourPages: UInt32
    public var monoPages: UInt32
    public var duplex: Bool
    public var paper: String
    public var colourPrice: UInt32
    public var monoPrice: UInt32
    public var amount: Int64
    /// The device event's canonical bytes: the leaf data its inclusion proof starts from.
    public var event: String
    /// RFC 9162 audit path of leaf `sequence - 1` in the device's checkpointed tree.
    public var proof: [String]

    public init(entry: UsageEntry, colourPrice: UInt32, monoPrice: UInt32, event: [UInt8], proof: [Hash32]) {
        device = entry.deviceID.value
        sequence = entry.sequence
        user = entry.userID.value
        started = entry.started.millisecondsSinceEpoch
        ended = entry.ended.millisecondsSinceEpoch
        pages = entry.pages
        copies = entry.copies
        colourPages = entry.colourPages
        monoPages = entry.monoPages
        duplex = entry.duplex
        paper = entry.paperSize.description
        self.colourPrice = colourPrice
        self.monoPrice = monoPrice
        amount = Int64(entry.colourPages) * Int64(colourPrice) + Int64(entry.monoPages) * Int64(monoPrice)
        self.event = Hex.encode(event)
        self.proof = proof.map(\.hex)
    }

    /// The usage entry the line states; throws naming the field that is not valid.
    public func entry() throws(BillError) -> UsageEntry {
        do {
            guard let paperSize = PaperSize(name: paper) else { throw BillError.invalid(field: "paper", reason: "\"\(paper)\" is not a paper size") }
            return UsageEntry(
                deviceID: try DeviceID(device), sequence: sequence, userID: try UserID(user),
                started: Timestamp(millisecondsSinceEpoch: started), ended: Timestamp(millisecondsSinceEpoch: ended),
                pages: pages, copies: copies, colourPages: colourPages, monoPages: monoPages, duplex: duplex, paperSize: paperSize
            )
        } catch let error as BillError {
            throw error
        } catch {
            throw .invalid(field: "line \(device):\(sequence)", reason: "\(error)")
        }
    }

    /// How the line is named in reports: `copier-1 #42`.
    public var name: String { "\(device) #\(sequence)" }
}

public enum BillError: Error, Hashable, Sendable, CustomStringConvertible {
    case notJSON(String)
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .notJSON(reason): return "not a bill: \(reason)"
        case let .invalid(field, reason): return "bad bill: \(field): \(reason)"
        }
    }
}

extension Bill {
    /// Parses bill JSON; the error says what is missing or wrong.
    public static func decode(_ data: Data) throws(BillError) -> Bill {
        let bill: Bill
        do {
            bill = try JSONDecoder().decode(Bill.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .notJSON("missing \"\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .notJSON("\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .notJSON("\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is null")
        } catch {
            throw .notJSON("not valid JSON")
        }
        guard bill.format == currentFormat else {
            throw .invalid(field: "format", reason: "\"\(bill.format)\" is not \(currentFormat)")
        }
        guard bill.periodStart < bill.periodEnd else {
            throw .invalid(field: "period", reason: "start \(bill.periodStart) is not before end \(bill.periodEnd)")
        }
        return bill
    }

    /// Pretty, key-sorted JSON: the bytes the server stores and serves.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// What the bill covers, for a device to select its own entries with.
    public func selection() throws(BillError) -> UsageSelection {
        do {
            return try UsageSelection(
                users: Set(try users.map { try UserID($0) }),
                start: Timestamp(millisecondsSinceEpoch: periodStart), end: Timestamp(millisecondsSinceEpoch: periodEnd)
            )
        } catch {
            throw .invalid(field: "users", reason: "\(error)")
        }
    }

    /// The section of `device`; nil when none of the bill's lines are from it.
    public func section(for device: DeviceID) -> BillDevice? {
        devices.first { $0.device == device.value }
    }
}
