/// Checks shared by several event kinds. They run both when a value is built and when it is
/// decoded, so an event that could not have been constructed can never be decoded either.
enum EventFieldRules {
    /// Free UTF-8 text of `minimum...limit` bytes.
    static func checkText(_ text: String, field: String, minimum: Int, limit: Int) throws(WireError) {
        let count = text.utf8.count
        guard count >= minimum else {
            throw .invalidValue(field: field, reason: "must be at least \(minimum) byte(s), got \(count)")
        }
        guard count <= limit else { throw .tooLong(field: field, length: count, limit: limit) }
    }

    static func readText(_ reader: inout ByteReader, field: String, prefix: LengthPrefix, minimum: Int, limit: Int) throws(WireError) -> String {
        let text = try reader.string(field, prefix, limit: limit)
        try checkText(text, field: field, minimum: minimum, limit: limit)
        return text
    }

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
