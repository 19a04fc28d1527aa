/// The four Modbus data tables. Coils and holding registers are written by the client (the
/// agent); discrete inputs and input registers only by the server (the copier controller).
public enum ModbusTable: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case coil
    case discreteInput = "discrete input"
    case holding
    case input

    public var description: String { rawValue }
}

/// A table as a type, so that an input-register address can never be passed where a holding
/// register is expected (`ModbusField<HoldingTable>` vs `ModbusField<InputTable>`).
public protocol ModbusTableKind: Sendable {
    static var table: ModbusTable { get }
}

public enum CoilTable: ModbusTableKind { public static let table = ModbusTable.coil }
public enum HoldingTable: ModbusTableKind { public static let table = ModbusTable.holding }
public enum InputTable: ModbusTableKind { public static let table = ModbusTable.input }

/// Who may change a mapped item over Modbus.
public enum ModbusAccess: String, Hashable, Sendable, CustomStringConvertible {
    case readOnly = "R"
    case readWrite = "RW"

    public var description: String { rawValue }
}

/// One named item of a Modbus map: `count` consecutive addresses starting at `address` in one
/// table. A 32-bit value has a count of 2 (high word first, see `RegisterPair`).
public struct ModbusField<Table: ModbusTableKind>: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let address: UInt16
    public let count: UInt16
    public let access: ModbusAccess

    public init(_ name: String, address: UInt16, count: UInt16 = 1, access: ModbusAccess) {
        precondition(count >= 1 && Int(address) + Int(count) <= 0x1_0000, "field \(name) does not fit the address space")
        self.name = name
        self.address = address
        self.count = count
        self.access = access
    }

    public var table: ModbusTable { Table.table }

    /// The addresses the field occupies.
    public var addresses: ClosedRange<Int> { Int(address)...Int(address) + Int(count) - 1 }

    /// The same field without its table type, for tables of the whole map.
    public var entry: ModbusMapEntry {
        ModbusMapEntry(table: table, name: name, address: address, count: count, access: access)
    }

    public var description: String { entry.description }
}

public typealias CoilField = ModbusField<CoilTable>
public typealias HoldingField = ModbusField<HoldingTable>
public typealias InputField = ModbusField<InputTable>

/// A map item of any table: what docs/modbus-map.md lists one row per.
public struct ModbusMapEntry: Hashable, Sendable, CustomStringConvertible {
    public let table: ModbusTable
    public let name: String
    public let address: UInt16
    public let count: UInt16
    public let access: ModbusAccess

    public init(table: ModbusTable, name: String, address: UInt16, count: UInt16, access: ModbusAccess) {
        self.table = table
        self.name = name
        self.address = address
        self.count = count
        self.access = access
    }

    public var addresses: ClosedRange<Int> { Int(address)...Int(address) + Int(count) - 1 }

    public var description: String {
        let span = count == 1 ? "\(address)" : "\(address)-\(Int(address) + Int(count) - 1)"
        return "\(table) \(span) \(name) (\(access))"
    }
}

/// Quantity limits of the Modbus application protocol (V1.1b3): a request outside them is
/// answered with ILLEGAL DATA VALUE before any address is looked at.
public enum ModbusLimits {
    public static let readCoils: ClosedRange<Int> = 1...2000
    public static let readRegisters: ClosedRange<Int> = 1...125
    public static let writeCoils: ClosedRange<Int> = 1...1968
    public static let writeRegisters: ClosedRange<Int> = 1...123
}
