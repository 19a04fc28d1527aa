import ModbusIO
import Protocol

/// Faults of the Modbus link injected at the panel, as pymodbus's simulator offers them: a
/// slow controller, one that answers every request with an exception, one that drops the
/// connection, one that says nothing. Requests are not carried out under `exception`, `drop`
/// and `silence`; under `delay` they are, and the answer leaves late.
public enum ModbusFaultInjection: Hashable, Sendable, CustomStringConvertible {
    case none
    /// Every answer waits this long (1 ms ... 60 s).
    case delay(Duration)
    /// Every request is answered with this exception.
    case exception(ModbusException)
    /// Each connection is closed on its next request (on RTU the request goes unanswered).
    case drop
    /// No request is answered.
    case silence

    public static let delayRange: ClosedRange<Int64> = 1...60_000

    /// The decision for a request, given the one the controller would make: `answer` runs only
    /// when the request is to be carried out.
    public func apply(_ answer: () -> ModbusDecision) -> ModbusDecision {
        switch self {
        case .none: return answer()
        case let .delay(duration): return .delay(duration, then: .init(answer()))
        case let .exception(exception): return .exception(exception.rawValue)
        case .drop: return .drop
        case .silence: return .silence
        }
    }

    /// As the panel shows it: null, or the one key of the `fault` command that set it.
    public var json: JSONValue {
        switch self {
        case .none: return .null
        case let .delay(duration): return .object(["delay_ms": .integer(CopierController.milliseconds(duration))])
        case let .exception(exception): return .object(["exception": .integer(Int64(exception.rawValue))])
        case .drop: return .object(["drop": true])
        case .silence: return .object(["silence": true])
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case let .delay(duration): return "delay \(CopierController.milliseconds(duration)) ms"
        case let .exception(exception): return "exception \(exception.rawValue) (\(exception))"
        case .drop: return "drop"
        case .silence: return "silence"
        }
    }
}
