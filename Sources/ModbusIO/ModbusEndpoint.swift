/// Where a Modbus peer is: TCP (host and port) or RTU (a serial device and its line settings).
public enum ModbusEndpoint: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(path: String, baud: Int, parity: Parity, dataBits: Int, stopBits: Int)

    public enum Parity: Character, Sendable, Equatable {
        case none = "N", even = "E", odd = "O"
    }

    /// RTU with the common 19200 8E1 settings (Modbus over serial line, section 2.5.1).
    public static func rtu(path: String) -> ModbusEndpoint {
        .rtu(path: path, baud: 19200, parity: .even, dataBits: 8, stopBits: 1)
    }

    /// Parses `HOST:PORT` as TCP; the error names what was wrong.
    public static func parseTCP(_ text: String) throws(ModbusEndpointError) -> ModbusEndpoint {
        guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw .missingHost(text) }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw .badPort(text)
        }
        return .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case let .tcp(host, port): return "tcp \(host):\(port)"
        case let .rtu(path, baud, parity, dataBits, stopBits):
            return "rtu \(path) \(baud) \(dataBits)\(parity.rawValue)\(stopBits)"
        }
    }
}

public enum ModbusEndpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingPort(String), missingHost(String), badPort(String)

    public var description: String {
        switch self {
        case let .missingPort(text): return "Modbus address \(text) has no port (expected HOST:PORT)"
        case let .missingHost(text): return "Modbus address \(text) has no host (expected HOST:PORT)"
        case let .badPort(text): return "Modbus address \(text) has a port that is not a number from 1 to 65535"
        }
    }
}
