import ModbusIO
import Protocol

/// The firmware block-transfer window of docs/modbus-map.md, on the link's queue like every
/// other copier call.
extension CopierLink {
    public enum FirmwareCommand: UInt16, Sendable {
        case begin = 1, install = 2, confirm = 3, abort = 4
    }

    /// Input 1000-1015 in one request.
    nonisolated(nonsending) public func firmwareStatus() async throws(CopierLinkError) -> FirmwareSlotStatus {
        try await perform { client in
            let block = CopierModbusMap.Input.firmwareStatus
            let registers = try client.readInputRegisters(address: Int(block.address), count: Int(block.count))
            do throws(WireError) {
                return try FirmwareSlotStatus(registers: registers)
            } catch {
                throw CopierLinkError.unexpected("firmware status: \(error)")
            }
        }
    }

    /// Image id, size and command in one write (holding 1000-1004).
    nonisolated(nonsending) public func firmwareBegin(imageID: UInt32, size: UInt32) async throws(CopierLinkError) {
        try await perform { client in
            let values = RegisterPair.registers(imageID) + RegisterPair.registers(size) + [FirmwareCommand.begin.rawValue]
            try client.writeRegisters(address: Int(CopierModbusMap.Holding.firmwareImageID.address), values)
        }
    }

    /// A command (holding 1004) for the image id written at begin.
    nonisolated(nonsending) public func firmwareCommand(_ command: FirmwareCommand) async throws(CopierLinkError) {
        try await perform { client in
            try client.writeRegister(address: Int(CopierModbusMap.Holding.firmwareCommand.address), command.rawValue)
        }
    }

    /// Chunks of at most 240 bytes, each one FC 0x10 write of holding 1005-1127, sent in one go
    /// on the queue (no status read in between: the caller reads the status after).
    nonisolated(nonsending) public func firmwareChunks(_ chunks: [(offset: UInt32, data: [UInt8])]) async throws(CopierLinkError) {
        let registers = chunks.map { Self.chunkRegisters(offset: $0.offset, data: $0.data) }
        try await perform { client in
            for values in registers {
                try client.writeRegisters(address: Int(CopierModbusMap.Holding.firmwareChunk.address), values)
            }
        }
    }

    /// Offset, length, then the data two bytes a register, high byte first, padded with zero.
    static func chunkRegisters(offset: UInt32, data: [UInt8]) -> [UInt16] {
        precondition((1...CopierModbusMap.firmwareChunkDataSize).contains(data.count))
        var values = RegisterPair.registers(offset) + [UInt16(data.count)]
        values.reserveCapacity(Int(CopierModbusMap.Holding.firmwareChunk.count))
        var index = 0
        while index < data.count {
            let high = UInt16(data[index])
            let low = index + 1 < data.count ? UInt16(data[index + 1]) : 0
            values.append(high << 8 | low)
            index += 2
        }
        values += [UInt16](repeating: 0, count: Int(CopierModbusMap.Holding.firmwareChunk.count) - values.count)
        return values
    }
}
