/// A Modbus request as a server sees it, parsed from the PDU with every length checked here
/// (older libmodbus releases trusted some request lengths; we do not).
public enum ModbusRequest: Equatable, Sendable {
    case readCoils(address: Int, count: Int)
    case readDiscreteInputs(address: Int, count: Int)
    case readHoldingRegisters(address: Int, count: Int)
    case readInputRegisters(address: Int, count: Int)
    case writeCoil(address: Int, value: Bool)
    case writeRegister(address: Int, value: UInt16)
    case writeCoils(address: Int, values: [Bool])
    case writeRegisters(address: Int, values: [UInt16])
    /// A function this server does not implement (answered ILLEGAL FUNCTION).
    case unsupported(function: UInt8)

    /// Why a PDU could not be parsed; the server answers ILLEGAL DATA VALUE.
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { "malformed Modbus request: \(reason)" }
    }

    /// Parses a PDU (function code first, no MBAP header or RTU address/CRC).
    public static func parse(pdu: ArraySlice<UInt8>) throws(Malformed) -> ModbusRequest {
        let bytes = Array(pdu)
        guard let function = bytes.first else { throw Malformed(reason: "empty PDU") }
        func u16(_ offset: Int) throws(Malformed) -> Int {
            guard offset + 1 < bytes.count else { throw Malformed(reason: "function \(function): PDU of \(bytes.count) bytes is too short") }
            return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        }
        switch function {
        case 0x01, 0x02, 0x03, 0x04:
            let address = try u16(1), count = try u16(3)
            let limit = function <= 0x02 ? 2000 : 125
            guard (1...limit).contains(count) else { throw Malformed(reason: "read count \(count) outside 1...\(limit)") }
            switch function {
            case 0x01: return .readCoils(address: address, count: count)
            case 0x02: return .readDiscreteInputs(address: address, count: count)
            case 0x03: return .readHoldingRegisters(address: address, count: count)
            default: return .readInputRegisters(address: address, count: count)
            }
        case 0x05:
            let address = try u16(1), value = try u16(3)
            guard value == 0xFF00 || value == 0x0000 else { throw Malformed(reason: "coil value \(value) is neither 0xFF00 nor 0x0000") }
            return .writeCoil(address: address, value: value == 0xFF00)
        case 0x06:
            return .writeRegister(address: try u16(1), value: UInt16(try u16(3)))
        case 0x0F, 0x10:
            let address = try u16(1), count = try u16(3)
            guard bytes.count >= 6 else { throw Malformed(reason: "function \(function): missing byte count") }
            let byteCount = Int(bytes[5])
            let expected = function == 0x0F ? (count + 7) / 8 : count * 2
            let limit = function == 0x0F ? 1968 : 123
            guard (1...limit).contains(count) else { throw Malformed(reason: "write count \(count) outside 1...\(limit)") }
            guard byteCount == expected, bytes.count == 6 + byteCount else {
                throw Malformed(reason: "byte count \(byteCount) does not match \(count) values and \(bytes.count - 6) data bytes")
            }
            if function == 0x0F {
                let values = (0..<count).map { bytes[6 + $0 / 8] & (1 << UInt8($0 % 8)) != 0 }
                return .writeCoils(address: address, values: values)
            }
            let values = (0..<count).map { UInt16(bytes[6 + 2 * $0]) << 8 | UInt16(bytes[7 + 2 * $0]) }
            return .writeRegisters(address: address, values: values)
        default:
            return .unsupported(function: function)
        }
    }
}
