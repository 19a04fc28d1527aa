import FirmwareSlots
import ModbusIO
import Protocol

/// The firmware block-transfer window of docs/modbus-map.md (holding 1000-1127, input
/// 1000-1015), served by the simulator next to the controller: the controller checks each
/// request against the map, and what it writes in the window goes to the firmware bank.
extension CopierSimulator {
    static let firmwareHoldingCount = Int(CopierModbusMap.firmwareHolding.count)

    /// Firmware commands in holding 1004.
    enum FirmwareCommand: UInt16 {
        case begin = 1, install = 2, confirm = 3, abort = 4
    }

    /// True when the request reads or writes the firmware window.
    static func touchesFirmware(_ request: ModbusRequest) -> Bool {
        let firstFirmware = Int(CopierModbusMap.firmwareHolding.lowerBound)
        switch request {
        case let .readHoldingRegisters(address, count), let .readInputRegisters(address, count):
            return address + count > firstFirmware
        case let .writeRegister(address, _):
            return address >= firstFirmware
        case let .writeRegisters(address, values):
            return address + values.count > firstFirmware
        default:
            return false
        }
    }

    /// Applies an accepted write in the window (lock held). Returns true when the controller
    /// rebooted into a new image, so the connection is to be dropped as a real reboot would.
    func applyFirmwareWrite(_ request: ModbusRequest) -> Bool {
        let (address, values): (Int, [UInt16])
        switch request {
        case let .writeRegister(start, value): (address, values) = (start, [value])
        case let .writeRegisters(start, written): (address, values) = (start, written)
        default: return false
        }
        let base = Int(CopierModbusMap.firmwareHolding.lowerBound)
        for (index, value) in values.enumerated() where address + index >= base {
            firmwareHolding[address + index - base] = value
        }
        guard let bank = firmwareBank else { return false }
        let written = address...(address + values.count - 1)
        let imageID = RegisterPair.join(high: firmwareHolding[0], low: firmwareHolding[1])
        if written.contains(Int(CopierModbusMap.Holding.firmwareChunk.address)) {
            let offset = RegisterPair.join(high: firmwareHolding[5], low: firmwareHolding[6])
            let length = Int(firmwareHolding[7])
            guard (1...CopierModbusMap.firmwareChunkDataSize).contains(length) else {
                firmwareResult = .badRequest
                return false
            }
            var data: [UInt8] = []
            data.reserveCapacity(length + 1)
            for register in firmwareHolding[8..<(8 + (length + 1) / 2)] {
                data.append(UInt8(register >> 8))
                data.append(UInt8(register & 0xFF))
            }
            firmwareResult = bank.write(imageID: imageID, offset: offset, data: Array(data.prefix(length))).result
        }
        guard written.contains(Int(CopierModbusMap.Holding.firmwareCommand.address)) else { return false }
        let size = RegisterPair.join(high: firmwareHolding[2], low: firmwareHolding[3])
        let sessionActive = controller.relay
        switch FirmwareCommand(rawValue: firmwareHolding[4]) {
        case .begin:
            firmwareResult = bank.begin(imageID: imageID, size: size, sessionActive: sessionActive).result
        case .install:
            switch bank.install(imageID: imageID, sessionActive: sessionActive) {
            case let .refused(status):
                firmwareResult = status.result
            case .reboot:
                firmwareResult = .none
                rebootLocked()
                return true
            }
        case .confirm:
            firmwareResult = bank.confirm().result
        case .abort:
            firmwareResult = bank.abort().result
        case nil:
            firmwareResult = .badRequest
        }
        return false
    }

    /// The firmware status as input 1000-1015 serve it (lock held): the bank's, with the result
    /// of the last command if that failed.
    var firmwareStatusLocked: FirmwareSlotStatus? {
        guard let bank = firmwareBank else { return nil }
        let status = bank.status()
        guard firmwareResult != .none else { return status }
        return FirmwareSlotStatus(
            imageID: status.imageID, imageSize: status.imageSize, bytesReceived: status.bytesReceived,
            state: status.state, result: firmwareResult, runningVersion: status.runningVersion,
            minimumVersion: status.minimumVersion, trialBootsLeft: status.trialBootsLeft, trialSecondsLeft: status.trialSecondsLeft
        )
    }

    /// `image` grown to cover the firmware window, with its registers filled in (lock held).
    func withFirmwareRegisters(_ image: ModbusRegisterImage) -> ModbusRegisterImage {
        var image = image
        let holdingEnd = Int(CopierModbusMap.firmwareHolding.upperBound) + 1
        let inputBase = Int(CopierModbusMap.firmwareInput.lowerBound)
        image.holdingRegisters += [UInt16](repeating: 0, count: holdingEnd - image.holdingRegisters.count)
        image.holdingRegisters.replaceSubrange(Int(CopierModbusMap.firmwareHolding.lowerBound)..<holdingEnd, with: firmwareHolding)
        image.inputRegisters += [UInt16](repeating: 0, count: inputBase + FirmwareSlotStatus.registerCount - image.inputRegisters.count)
        if let status = firmwareStatusLocked {
            image.inputRegisters.replaceSubrange(inputBase..<inputBase + FirmwareSlotStatus.registerCount, with: status.registers)
        }
        return image
    }

    /// The controller restarts on the image the bank now runs (lock held): a power cycle as far
    /// as the map can tell (relay 0, boot count up), with the memory kept.
    func rebootLocked() {
        guard let bank = firmwareBank else { return }
        do {
            try bank.reboot()
        } catch {
            Self.warn("firmware reboot: \(error)")
        }
        // A job cut by the reboot ends as cancelled, and its events survive the old controller,
        // so whoever waits for it is answered.
        controller.cancelJob(now: now)
        let carried = controller.takeEvents()
        let memory = controller.memory
        controller = CopierController(poweringOnWith: Self.memory(memory, running: bank.current), pageRate: pageRate(for: bank.current))
        controller.events = carried
        firmwareHolding = [UInt16](repeating: 0, count: Self.firmwareHoldingCount)
        do {
            try memoryStore.save(controller.memory)
        } catch {
            Self.warn("memory not saved after the firmware reboot: \(error)")
        }
    }

    /// `memory` with the firmware version the bank runs.
    static func memory(_ memory: CopierMemory, running: FirmwareBank.Running) -> CopierMemory {
        let version = CopierFirmwareVersion(major: running.version.major, minor: running.version.minor, patch: running.version.patch)
        return CopierMemory(
            unchecked: memory.model, firmware: version, bootCount: memory.bootCount, totals: memory.totals,
            latestSequence: memory.latestSequence, jobs: memory.jobs
        )
    }

    /// The payload's page rate when it sets one the controller allows, else the start option's.
    func pageRate(for running: FirmwareBank.Running) -> CopierPageRate {
        running.settings.pageRate.flatMap { CopierPageRate(pagesPerSecond: $0) } ?? startPageRate
    }
}
