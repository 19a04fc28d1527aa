import CopierSimulator
import Foundation
import ModbusIO
import Protocol

/// libFuzzer entry point for the simulated copier controller's Modbus side: the PDU parser the
/// server runs on each request (`ModbusRequest.parse`) and the controller that answers it
/// (`CopierController.handle`), with panel actions and time passing in between, as the
/// simulator's runtime drives them (no sockets: the pure code under the libmodbus server).
///
/// An input is a script of steps: `[op] [time step ×10 ms] [operands...]`; op 0-3 is a Modbus
/// request `[length] [PDU]`, 4 a job started at the panel `[copies] [originals] [flags]`,
/// 5 a cancel, 6 a fault `[code]`, 7 the fault cleared. Properties after every step:
/// - no crash or sanitizer report; a PDU is parsed or refused as `Malformed`;
/// - the answer is a register image or an exception 1-4, never a fault-injection decision;
///   an answer's image is the controller's own, at the map's table sizes;
/// - an accepted write reads back: holding registers as written, the relay as written;
/// - the map's rules hold: the watchdog runs exactly while the relay is 1, the relay is 1 only
///   with a page budget left and no fault, a job runs only with the relay 1, the relay going
///   to 0 takes the budget with it, the page totals add up and never go down, each ring slot
///   holds a job of its own residue;
/// - the same script on a fresh controller ends in the same state (no hidden input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCopierModbus(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let first = run(bytes, checking: true)
    let second = run(bytes, checking: false)
    guard first == second else { fatalError("the same requests left two controllers in different states") }
    return 0
}

private func run(_ bytes: [UInt8], checking: Bool) -> CopierController {
    let model: CopierModel = (bytes.first ?? 0) & 0x80 == 0 ? .simulatedColour : .simulatedMono
    var controller = CopierController(poweringOnWith: .factoryNew(model: model))
    var reader = Script(bytes: bytes)
    var now = Duration.zero
    while let op = reader.next() {
        now += .milliseconds(10 * Int64(reader.next() ?? 0))
        let before = controller
        var heldWrite = false
        switch op % 8 {
        case 0...3:
            let length = Int(reader.next() ?? 0)
            let pdu = reader.take(length)
            let request: ModbusRequest
            do {
                request = try ModbusRequest.parse(pdu: pdu[...])
            } catch {
                // The server answers ILLEGAL DATA VALUE without asking the controller.
                _ = error.reason
                continue
            }
            if case .writeRegister = request { heldWrite = true }
            if case .writeRegisters = request { heldWrite = true }
            let decision = controller.handle(request, now: now)
            if checking { check(decision, for: request, controller: controller) }
        case 4:
            let copies = UInt16(reader.next() ?? 0), originals = UInt16(reader.next() ?? 0), flags = reader.next() ?? 0
            let paper = PaperSize.allCases[Int(flags >> 2) % PaperSize.allCases.count]
            if let job = try? CopierJobRequest(copies: copies, originals: originals, colour: flags & 1 != 0, duplex: flags & 2 != 0, paper: paper) {
                _ = try? controller.startJob(job, now: now)
            }
        case 5:
            controller.cancelJob(now: now)
        case 6:
            let code = reader.next() ?? 0
            controller.injectFault(CopierFault(rawValue: UInt16(code % 6)) ?? .none, now: now)
        default:
            controller.clearFault(now: now)
        }
        if checking { checkRules(controller, before: before, heldWrite: heldWrite) }
    }
    _ = controller.takeEvents()
    return controller
}

private func check(_ decision: ModbusDecision, for request: ModbusRequest, controller: CopierController) {
    let image: ModbusRegisterImage
    switch decision {
    case let .answer(answer):
        image = answer
    case let .exception(code):
        guard (1...4).contains(code) else { fatalError("exception \(code) for \(request)") }
        return
    case .delay, .silence, .drop:
        fatalError("the controller itself decided \(decision) for \(request)")
    }
    guard image == controller.registerImage else { fatalError("the answer is not the controller's register image") }
    // The tables run to the map's last address: the relay, holding 0-5, input 0 to the ring's end.
    let inputCount = CopierModbusMap.Input.jobRing.addresses.upperBound + 1
    guard image.coils.count == 1, image.holdingRegisters.count == 6, image.inputRegisters.count == inputCount else {
        fatalError("register image of \(image.coils.count)/\(image.holdingRegisters.count)/\(image.inputRegisters.count) entries")
    }
    switch request {
    case let .writeRegister(address, value):
        guard image.holdingRegisters.indices.contains(address), image.holdingRegisters[address] == value else {
            fatalError("holding \(address) written \(value) was accepted but reads back otherwise")
        }
    case let .writeRegisters(address, values):
        guard address >= 0, address + values.count <= image.holdingRegisters.count,
              Array(image.holdingRegisters[address..<address + values.count]) == values
        else { fatalError("holding \(address)... written \(values) was accepted but reads back otherwise") }
    case let .writeCoil(address, value):
        guard address == 0, controller.relay == value else { fatalError("coil \(address) written \(value) was accepted, the relay is \(controller.relay)") }
    case let .writeCoils(address, values):
        guard address == 0, values.count == 1, controller.relay == values[0] else { fatalError("coils \(address)... written \(values) were accepted, the relay is \(controller.relay)") }
    default:
        break
    }
}

private func checkRules(_ controller: CopierController, before: CopierController, heldWrite: Bool) {
    guard (controller.watchdogDeadline != nil) == controller.relay else { fatalError("watchdog deadline \(String(describing: controller.watchdogDeadline)) with relay \(controller.relay)") }
    if controller.relay {
        guard controller.pageBudget > 0 else { fatalError("relay 1 with no page budget") }
        guard controller.fault == .none else { fatalError("relay 1 in fault \(controller.fault)") }
    } else {
        guard controller.currentJob == nil else { fatalError("a job runs with the relay 0") }
        // A holding write may set a budget for the next unlock after the watchdog ran out.
        if before.relay && !heldWrite && controller.pageBudget != 0 { fatalError("the relay went to 0 and left budget \(controller.pageBudget)") }
    }
    let totals = controller.totals
    guard totals.isConsistent else { fatalError("totals \(totals) do not add up") }
    guard totals.pages >= before.totals.pages, totals.colourPages >= before.totals.colourPages, totals.monoPages >= before.totals.monoPages else {
        fatalError("totals went down: \(before.totals) to \(totals)")
    }
    for (slot, record) in controller.ring.enumerated() {
        guard let record else { continue }
        guard CopierJobRing.slotIndex(for: record.sequence) == slot else { fatalError("job \(record.sequence) in ring slot \(slot)") }
    }
    guard controller.latestSequence == before.latestSequence || controller.latestSequence == before.latestSequence &+ 1
            || (before.latestSequence == .max && controller.latestSequence == 1)
    else { fatalError("latest sequence went from \(before.latestSequence) to \(controller.latestSequence)") }
}

/// Reads a script's bytes; past the end, nothing.
private struct Script {
    let bytes: [UInt8]
    var offset = 0

    mutating func next() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// `FUZZ_WRITE_SEEDS=<dir> fuzz-copier-modbus -runs=0` writes the seed corpus (Fuzz/corpus/
/// copier-modbus): the requests an agent makes in a session, and some it must be refused.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] else { return 0 }
    func pdu(_ bytes: [UInt8], after ticks: UInt8 = 1) -> [UInt8] { [0, ticks, UInt8(bytes.count)] + bytes }
    let readStatus = pdu([0x04, 0x00, 0x00, 0x00, 0x18])
    let readRing = pdu([0x04, 0x00, 0x64, 0x00, 0x0E])
    let readHolding = pdu([0x03, 0x00, 0x00, 0x00, 0x06])
    let readCoil = pdu([0x01, 0x00, 0x00, 0x00, 0x01])
    let budget = pdu([0x10, 0x00, 0x02, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x05, 0x12, 0x34, 0x56, 0x78])
    let watchdog = pdu([0x06, 0x00, 0x00, 0x03, 0xE8])
    let heartbeat = pdu([0x06, 0x00, 0x01, 0x00, 0x01], after: 50)
    let relayOn = pdu([0x05, 0x00, 0x00, 0xFF, 0x00])
    let relayOff = pdu([0x05, 0x00, 0x00, 0x00, 0x00])
    let relayOnMulti = pdu([0x0F, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01])
    let job: [UInt8] = [4, 1, 2, 3, 0b0000_0011]
    let seeds: [(String, [UInt8])] = [
        ("reads.bin", readStatus + readRing + readHolding + readCoil),
        ("session.bin", watchdog + budget + relayOn + job + heartbeat + readStatus + heartbeat + readRing + relayOff + readRing),
        ("session-coils-fc15.bin", budget + relayOnMulti + job + [7, 200] + readStatus + readRing),
        ("budget-runs-out.bin", [0x80] + pdu([0x10, 0x00, 0x02, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0x02]) + relayOn + [4, 1, 5, 1, 0] + heartbeat + heartbeat + readStatus),
        ("watchdog-expires.bin", budget + relayOn + job + [7, 255, 7, 255] + readStatus + readRing),
        ("fault-during-job.bin", budget + relayOn + job + [6, 5, 1] + readStatus + relayOn + [7, 1] + relayOn + readCoil),
        ("cancel.bin", budget + relayOn + job + [5, 3] + readRing),
        ("refused.bin", relayOn + pdu([0x06, 0x00, 0x07, 0x00, 0x01]) + pdu([0x04, 0x01, 0x44, 0x00, 0x7D]) + pdu([0x02, 0x00, 0x00, 0x00, 0x01])
            + pdu([0x2B, 0x0E, 0x01, 0x00]) + pdu([0x03, 0x00, 0x00, 0x00]) + pdu([0x10, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00])),
    ]
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in seeds {
        guard FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes)) else { fatalError("cannot write \(directory)/\(name)") }
    }
    print("wrote \(seeds.count) seeds to \(directory)")
    exit(0)
}
