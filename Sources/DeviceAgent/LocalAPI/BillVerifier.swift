import Foundation
import Protocol

/// `imprimatur-agent verify-bill` without the printing (docs/bills.md, "Checking a bill"):
/// the bill is checked against itself, then the agent re-checks its own store and hashes its
/// usage for the bill's users and period, and the two are compared.
public struct BillVerifier {
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        /// The device's usage hash equals the bill's for this device.
        case match(device: String, entries: Int, usageHash: String)
        /// The first discrepancy, naming the job and field.
        case mismatch(BillFinding)
        /// The device's own data was changed; the event where, when known.
        case altered(sequence: UInt64?, reason: String)

        /// Distinct per outcome: 0 match, 3 altered, 4 mismatch (2 is a bad bill, 1 no agent).
        public var exitCode: Int32 {
            switch self {
            case .match: return 0
            case .altered: return 3
            case .mismatch: return 4
            }
        }

        public var description: String {
            switch self {
            case let .match(device, entries, hash): return "MATCH: \(entries) jobs of \(device), usage hash \(hash)"
            case let .mismatch(finding): return "MISMATCH: \(finding)"
            case let .altered(sequence, reason): return "ALTERED\(sequence.map { " at event \($0)" } ?? ""): \(reason)"
            }
        }
    }

    /// Sends one local API request to the agent.
    public let send: (LocalAPI.Request) throws -> LocalAPI.Response

    public init(send: @escaping (LocalAPI.Request) throws -> LocalAPI.Response) {
        self.send = send
    }

    public func verify(_ bill: Bill) throws -> Outcome {
        if let finding = try BillCheck.checkInternal(bill) { return .mismatch(finding) }
        var request = LocalAPI.Request(op: "usage", users: bill.users, periodStart: bill.periodStart, periodEnd: bill.periodEnd)
        let usage = try answer(to: request)
        if usage.altered { return .altered(sequence: usage.alteredSequence, reason: usage.alteredReason ?? "the device's data was changed") }
        let device = try DeviceID(usage.device)
        let section = bill.section(for: device)
        if let section, section.usageHash == usage.usageHash, section.entryCount == usage.entryCount {
            return .match(device: usage.device, entries: usage.entryCount, usageHash: usage.usageHash)
        }
        if section == nil && usage.entryCount == 0 {
            return .match(device: usage.device, entries: 0, usageHash: usage.usageHash)
        }
        // The hashes differ: fetch the device's entries to name the first one that differs.
        request.entries = true
        let detailed = try answer(to: request)
        if detailed.altered { return .altered(sequence: detailed.alteredSequence, reason: detailed.alteredReason ?? "the device's data was changed") }
        var entries: [UsageEntry] = []
        for text in detailed.entries ?? [] {
            guard let bytes = Hex.decode(text) else { throw BillError.invalid(field: "agent answer", reason: "an entry is not hex") }
            entries.append(try UsageEntry(wireBytes: bytes))
        }
        if let finding = try BillCheck.compare(bill, device: device, deviceEntries: entries) { return .mismatch(finding) }
        return .mismatch(.inconsistent(field: "devices.\(device).usageHash", reason: "\(section?.usageHash ?? "none") in the bill, \(usage.usageHash) from the device"))
    }

    /// Checks line `number` (1-based, in the bill's order) with its inclusion proof against the
    /// bill's checkpoint alone, under the device keys the agent reports.
    public func verifyLine(_ bill: Bill, number: Int) throws -> Outcome {
        guard (1...max(1, bill.lines.count)).contains(number), number <= bill.lines.count else {
            throw BillError.invalid(field: "line", reason: "the bill has \(bill.lines.count) lines, there is no line \(number)")
        }
        let response = try send(LocalAPI.Request(op: "device-keys"))
        guard response.ok, let deviceText = response.device, let keyTexts = response.deviceKeys else {
            throw BillError.invalid(field: "agent answer", reason: response.error ?? "no device keys")
        }
        let keys = try keyTexts.map { text throws -> PublicKey in
            guard let bytes = Hex.decode(text) else { throw BillError.invalid(field: "agent answer", reason: "a key is not hex") }
            return try PublicKey(bytes: bytes)
        }
        let line = bill.lines[number - 1]
        if let finding = try BillCheck.checkLine(line, in: bill, device: try DeviceID(deviceText), deviceKeys: keys) { return .mismatch(finding) }
        return .match(device: deviceText, entries: 1, usageHash: "line \(line.name) proved against checkpoint \(bill.section(for: try DeviceID(deviceText))?.treeSize ?? 0)")
    }

    private func answer(to request: LocalAPI.Request) throws -> UsageAnswer {
        let response = try send(request)
        guard response.ok, let usage = response.usage else {
            throw BillError.invalid(field: "agent answer", reason: response.error ?? "no usage in the answer")
        }
        return usage
    }
}
