/// Checks shared by several event kinds. They run both when a value is built and when it is
/// decoded, so an event that could not have been constructed can never be decoded either.
enum EventFieldRules {
    static func checkAtLeastOne(_ value: UInt32, field: String) throws(WireError) {
        guard value >= 1 else { throw .invalidValue(field: field, reason: "must be at least 1") }
    }

    static func writeI32(_ value: Int32, to writer: inout ByteWriter) {
        writer.u32(UInt32(bitPattern: value))
    }

    static func readI32(_ reader: inout ByteReader, field: String) throws(WireError) -> Int32 {
        Int32(bitPattern: try reader.u32(field))
    }
}
