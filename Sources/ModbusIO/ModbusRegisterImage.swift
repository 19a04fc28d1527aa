/// The values a server answers reads with, and the table libmodbus builds replies from.
/// The server's owner fills it from its own state before each reply.
public struct ModbusRegisterImage: Sendable, Equatable {
    public var coils: [Bool]
    public var discreteInputs: [Bool]
    public var holdingRegisters: [UInt16]
    public var inputRegisters: [UInt16]

    public init(coils: Int, discreteInputs: Int = 0, holdingRegisters: Int, inputRegisters: Int) {
        self.coils = Array(repeating: false, count: coils)
        self.discreteInputs = Array(repeating: false, count: discreteInputs)
        self.holdingRegisters = Array(repeating: 0, count: holdingRegisters)
        self.inputRegisters = Array(repeating: 0, count: inputRegisters)
    }
}

/// What a server's logic decides for one request.
public enum ModbusDecision: Equatable, Sendable {
    /// Answer normally from `image` (for a write, the logic has already applied it).
    case answer(ModbusRegisterImage)
    /// Answer with this exception code (1 ILLEGAL FUNCTION, 2 ILLEGAL DATA ADDRESS, 3 ILLEGAL DATA VALUE, 4 SERVER DEVICE FAILURE, ...).
    case exception(UInt8)
    /// Fault injection: wait, then decide again (a slow device).
    case delay(Duration, then: Box)
    /// Fault injection: say nothing (a silent device; the client times out).
    case silence
    /// Fault injection: close this client's connection.
    case drop

    /// Indirection so `delay` can hold a decision.
    public final class Box: Equatable, Sendable {
        public let decision: ModbusDecision
        public init(_ decision: ModbusDecision) { self.decision = decision }
        public static func == (lhs: Box, rhs: Box) -> Bool { lhs.decision == rhs.decision }
    }
}
