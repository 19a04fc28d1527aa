/// A 32-bit value in two consecutive 16-bit registers, HIGH word first (at the lower address),
/// as everywhere in the copier's Modbus map.
public enum RegisterPair {
    /// The two registers holding `value`: `[high, low]`.
    public static func registers(_ value: UInt32) -> [UInt16] {
        let words = split(value)
        return [words.high, words.low]
    }

    public static func split(_ value: UInt32) -> (high: UInt16, low: UInt16) {
        (UInt16(truncatingIfNeeded: value >> 16), UInt16(truncatingIfNeeded: value))
    }

    public static func join(high: UInt16, low: UInt16) -> UInt32 {
        UInt32(high) << 16 | UInt32(low)
    }

    /// The value in `registers[index]` (high) and `registers[index + 1]` (low); nil when the
    /// array does not reach that far.
    public static func value(in registers: [UInt16], at index: Int) -> UInt32? {
        guard index >= 0, index < registers.count - 1 else { return nil }
        return join(high: registers[index], low: registers[index + 1])
    }
}
