/// The controller's answers to requests, as pure functions of the request (and, for the relay,
/// the controller's state): the simulator calls these, so its exceptions match the document.
/// Checks run in the order of the Modbus specification: quantity, then address, then value.
extension CopierModbusMap {
    /// A write of `values` to holding registers starting at `address` (FC 0x06 is one value,
    /// FC 0x10 one or more).
    public static func validateHoldingWrite(address: UInt16, values: [UInt16]) -> ModbusVerdict {
        guard ModbusLimits.writeRegisters.contains(values.count) else { return .refused(.illegalDataValue) }
        let written = Int(address)...Int(address) + values.count - 1
        guard let fields = covering(written, in: Holding.all), fields.allSatisfy({ $0.access == .readWrite }) else {
            return .refused(.illegalDataAddress)
        }
        // Half a 32-bit value would let the controller act on a torn value.
        guard fields.allSatisfy({ written.contains($0.addresses.lowerBound) && written.contains($0.addresses.upperBound) }) else {
            return .refused(.illegalDataAddress)
        }
        for (offset, value) in values.enumerated() where Int(address) + offset == Int(Holding.watchdogTimeout.address) {
            guard watchdogTimeoutRange.contains(value) else { return .refused(.illegalDataValue) }
        }
        return .accepted
    }

    /// A write of `values` to coils starting at `address` (FC 0x05 is one value, FC 0x0F one or
    /// more), given the controller's `state` and current page budget: the relay can be switched
    /// on only when the copier is not in fault and has a page budget to spend.
    public static func validateCoilWrite(address: UInt16, values: [Bool], state: CopierState, pageBudget: UInt32) -> ModbusVerdict {
        guard ModbusLimits.writeCoils.contains(values.count) else { return .refused(.illegalDataValue) }
        let written = Int(address)...Int(address) + values.count - 1
        guard covering(written, in: Coils.all) != nil else { return .refused(.illegalDataAddress) }
        for (offset, value) in values.enumerated() where Int(address) + offset == Int(Coils.relay.address) && value {
            if state == .fault { return .refused(.serverDeviceFailure) }
            if pageBudget == 0 { return .refused(.illegalDataValue) }
        }
        return .accepted
    }

    /// A read of `count` items of `table` starting at `address` (FC 0x01, 0x02, 0x03, 0x04).
    /// Reading one half of a 32-bit value is allowed; the agent reads pairs whole because one
    /// request is answered from one consistent snapshot.
    public static func validateRead(_ table: ModbusTable, address: UInt16, count: Int) -> ModbusVerdict {
        let limits = (table == .coil || table == .discreteInput) ? ModbusLimits.readCoils : ModbusLimits.readRegisters
        guard limits.contains(count) else { return .refused(.illegalDataValue) }
        let read = Int(address)...Int(address) + count - 1
        let mapped: [ClosedRange<Int>]
        switch table {
        case .coil: mapped = Coils.all.map(\.addresses)
        case .discreteInput: mapped = []
        case .holding: mapped = Holding.all.map(\.addresses)
        case .input: mapped = Input.all.map(\.addresses)
        }
        return covering(read, in: mapped) ? .accepted : .refused(.illegalDataAddress)
    }

    /// The fields that together cover every address of `range`, or nil if one is unmapped.
    private static func covering<Table>(_ range: ClosedRange<Int>, in fields: [ModbusField<Table>]) -> [ModbusField<Table>]? {
        guard covering(range, in: fields.map(\.addresses)) else { return nil }
        return fields.filter { $0.addresses.overlaps(range) }
    }

    private static func covering(_ range: ClosedRange<Int>, in mapped: [ClosedRange<Int>]) -> Bool {
        guard range.upperBound <= Int(UInt16.max) else { return false }
        return range.allSatisfy { address in mapped.contains { $0.contains(address) } }
    }
}
