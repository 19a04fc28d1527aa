import ModbusIO
import Protocol

/// The controller as a Modbus server: requests checked by the Protocol validators (so the
/// exceptions are those docs/modbus-map.md lists), writes applied, answers from one snapshot.
extension CopierController {
    /// Sizes of the tables in the register image: everything up to the last mapped address.
    static let imageCoils = 1
    static let imageHolding = 6
    static let imageInput = Int(CopierModbusMap.Input.jobRing.addresses.upperBound) + 1

    /// Handles one request at `now`: an exception, or the answer with any write applied.
    public mutating func handle(_ request: ModbusRequest, now instant: Duration) -> ModbusDecision {
        tick(now: instant)
        let verdict: ModbusVerdict
        switch request {
        case let .readCoils(address, count):
            verdict = Self.read(.coil, address, count)
        case let .readHoldingRegisters(address, count):
            verdict = Self.read(.holding, address, count)
        case let .readInputRegisters(address, count):
            verdict = Self.read(.input, address, count)
        case .readDiscreteInputs, .unsupported:
            // The map has no discrete inputs: the function itself is not served.
            return .exception(ModbusException.illegalFunction.rawValue)
        case let .writeCoil(address, value):
            verdict = writeCoils(address: address, values: [value])
        case let .writeCoils(address, values):
            verdict = writeCoils(address: address, values: values)
        case let .writeRegister(address, value):
            verdict = writeHolding(address: address, values: [value])
        case let .writeRegisters(address, values):
            verdict = writeHolding(address: address, values: values)
        }
        switch verdict {
        case .accepted: return .answer(registerImage)
        case let .refused(exception): return .exception(exception.rawValue)
        }
    }

    /// The register image at `now`, as a read would see it.
    public mutating func registerImage(now instant: Duration) -> ModbusRegisterImage {
        tick(now: instant)
        return registerImage
    }

    /// The register image at the controller's current time.
    public var registerImage: ModbusRegisterImage {
        var image = ModbusRegisterImage(coils: Self.imageCoils, holdingRegisters: Self.imageHolding, inputRegisters: Self.imageInput)
        image.coils[0] = relay
        image.holdingRegisters = [watchdogTimeout, heartbeat] + RegisterPair.registers(pageBudget) + RegisterPair.registers(sessionTag)
        let status = statusRegisters
        image.inputRegisters.replaceSubrange(0..<status.count, with: status)
        for (slot, record) in ring.enumerated() {
            guard let record else { continue }
            let start = Int(CopierJobRing.baseAddress) + slot * CopierJobRecord.registerCount
            image.inputRegisters.replaceSubrange(start..<start + CopierJobRecord.registerCount, with: record.registers)
        }
        return image
    }

    /// Input registers 0-23 (`CopierModbusMap.Input.statusBlock`).
    public var statusRegisters: [UInt16] {
        var registers: [UInt16] = []
        registers += RegisterPair.registers(totals.pages)
        registers += RegisterPair.registers(totals.colourPages)
        registers += RegisterPair.registers(totals.monoPages)
        registers += RegisterPair.registers(currentJob?.pagesPrinted ?? 0)
        registers.append(state.rawValue)
        registers.append(fault.rawValue)
        registers += RegisterPair.registers(latestSequence)
        registers.append(CopierJobRing.slotCount)
        registers.append(UInt16(CopierJobRecord.registerCount))
        registers.append(CopierJobRing.baseAddress)
        registers.append(watchdogRemainingMilliseconds)
        registers += RegisterPair.registers(uptimeSeconds)
        registers += RegisterPair.registers(bootCount)
        registers += [firmware.major, firmware.minor, firmware.patch, model.rawValue]
        return registers
    }

    private static func read(_ table: ModbusTable, _ address: Int, _ count: Int) -> ModbusVerdict {
        guard let start = UInt16(exactly: address) else { return .refused(.illegalDataAddress) }
        return CopierModbusMap.validateRead(table, address: start, count: count)
    }

    private mutating func writeCoils(address: Int, values: [Bool]) -> ModbusVerdict {
        guard let start = UInt16(exactly: address) else { return .refused(.illegalDataAddress) }
        let verdict = CopierModbusMap.validateCoilWrite(address: start, values: values, state: state, pageBudget: pageBudget)
        guard verdict == .accepted else { return verdict }
        // The relay is the only coil, so an accepted write starts at it.
        if values[0] {
            switchRelayOn()
        } else if relay {
            switchRelayOff(ending: .lockedByAgent)
        }
        return .accepted
    }

    private mutating func writeHolding(address: Int, values: [UInt16]) -> ModbusVerdict {
        guard let start = UInt16(exactly: address) else { return .refused(.illegalDataAddress) }
        let verdict = CopierModbusMap.validateHoldingWrite(address: start, values: values)
        guard verdict == .accepted else { return verdict }
        func written(_ field: HoldingField) -> [UInt16]? {
            let offset = Int(field.address) - address
            guard offset >= 0, offset + Int(field.count) <= values.count else { return nil }
            return Array(values[offset..<offset + Int(field.count)])
        }
        // In address order, so that a write of holding 0-1 together restarts the watchdog with
        // the new period.
        if let value = written(CopierModbusMap.Holding.watchdogTimeout) {
            watchdogTimeout = value[0]
        }
        if let value = written(CopierModbusMap.Holding.heartbeat) {
            heartbeat = value[0]
            if relay { watchdogDeadline = now + .milliseconds(Int64(watchdogTimeout)) }
        }
        if let value = written(CopierModbusMap.Holding.pageBudget) {
            pageBudget = RegisterPair.join(high: value[0], low: value[1])
            // A budget written down to 0 has run out, like one spent page by page.
            if relay && pageBudget == 0 { switchRelayOff(ending: .budgetExhausted) }
        }
        if let value = written(CopierModbusMap.Holding.sessionTag) {
            sessionTag = RegisterPair.join(high: value[0], low: value[1])
        }
        return .accepted
    }
}
