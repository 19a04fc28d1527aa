/// Exception codes a Modbus server answers with (Modbus application protocol V1.1b3, 7).
/// The raw value is the byte in the exception response.
public enum ModbusException: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case illegalFunction = 0x01
    case illegalDataAddress = 0x02
    case illegalDataValue = 0x03
    case serverDeviceFailure = 0x04
    case acknowledge = 0x05
    case serverDeviceBusy = 0x06
    case memoryParityError = 0x08
    case gatewayPathUnavailable = 0x0A
    case gatewayTargetFailedToRespond = 0x0B

    public var description: String {
        switch self {
        case .illegalFunction: return "ILLEGAL FUNCTION"
        case .illegalDataAddress: return "ILLEGAL DATA ADDRESS"
        case .illegalDataValue: return "ILLEGAL DATA VALUE"
        case .serverDeviceFailure: return "SERVER DEVICE FAILURE"
        case .acknowledge: return "ACKNOWLEDGE"
        case .serverDeviceBusy: return "SERVER DEVICE BUSY"
        case .memoryParityError: return "MEMORY PARITY ERROR"
        case .gatewayPathUnavailable: return "GATEWAY PATH UNAVAILABLE"
        case .gatewayTargetFailedToRespond: return "GATEWAY TARGET DEVICE FAILED TO RESPOND"
        }
    }
}

/// What a Modbus server does with a request: carry it out, or answer with an exception.
public enum ModbusVerdict: Hashable, Sendable, CustomStringConvertible {
    case accepted
    case refused(ModbusException)

    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case let .refused(exception): return "refused: \(exception)"
        }
    }
}
