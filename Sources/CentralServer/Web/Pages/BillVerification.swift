import Foundation
import Protocol

/// A bill's verification result for its page (SPEC C, issue 7): the checks of docs/bills.md the
/// server can run on its own copy — the bill against itself (prices, amounts, usage hashes) and
/// each line against the device-signed checkpoint by its inclusion proof. The customer's own
/// check against the device is `imprimatur-agent verify-bill`.
struct BillVerification {
    let ok: Bool
    let verdict: String
    let details: [String]

    static func check(_ bill: Bill, store: any ServerStore) async throws -> BillVerification {
        do {
            if let finding = try BillCheck.checkInternal(bill) {
                return BillVerification(ok: false, verdict: "FAILED: the bill does not add up", details: [finding.description])
            }
            var keys: [String: [PublicKey]] = [:]
            for line in bill.lines {
                let device = try DeviceID(line.device)
                if keys[line.device] == nil { keys[line.device] = try await store.device(id: device).map { [$0.publicKey] } ?? [] }
                if let finding = try BillCheck.checkLine(line, in: bill, device: device, deviceKeys: keys[line.device]!) {
                    return BillVerification(ok: false, verdict: "FAILED: line \(line.name) is not proved by its device", details: [finding.description])
                }
            }
        } catch let error as BillError {
            return BillVerification(ok: false, verdict: "FAILED: the bill cannot be read", details: [error.description])
        } catch let error as WireError {
            return BillVerification(ok: false, verdict: "FAILED: the bill cannot be read", details: ["\(error)"])
        }
        let devices = Set(bill.lines.map(\.device)).sorted()
        return BillVerification(ok: true, verdict: "VERIFIED", details: [
            "prices, line amounts, total and usage hash follow from the lines",
            "\(bill.lines.count) line(s) proved in the signed checkpoint of \(devices.isEmpty ? "no device" : devices.joined(separator: ", "))",
        ])
    }
}
