/// Length rules for variable-size fields, shared by every part so that each is checked and
/// reported alike. Decoders already refuse a length prefix over the field's limit before reading
/// (`ByteReader.length`); these also hold values built in code to the same limits, and add the
/// lower bounds a length prefix cannot express.
enum FieldRules {
    /// Opaque bytes carried untouched (signed tokens, event encodings, chunk data): 1 to `limit`
    /// bytes. An empty one is a sender bug, never a valid value.
    static func checkBytes(_ count: Int, _ field: String, limit: Int) throws(WireError) {
        guard count > 0 else { throw .invalidValue(field: field, reason: "must not be empty") }
        guard count <= limit else { throw .tooLong(field: field, length: count, limit: limit) }
    }

    /// Counts and numbers that start at 1 (page numbers, uses, sequence numbers).
    static func checkAtLeastOne(_ value: some UnsignedInteger, _ field: String) throws(WireError) {
        guard value >= 1 else { throw .invalidValue(field: field, reason: "must be at least 1") }
    }

    /// UTF-8 text of `minimum` to `limit` bytes: the limit counts bytes, as on the wire.
    static func checkText(_ text: String, _ field: String, minimum: Int = 0, limit: Int) throws(WireError) {
        let count = text.utf8.count
        guard count >= minimum else {
            throw .invalidValue(field: field, reason: "must be at least \(minimum) byte(s), got \(count)")
        }
        guard count <= limit else { throw .tooLong(field: field, length: count, limit: limit) }
    }

    /// Text read with `checkText`'s rules.
    static func readText(
        _ reader: inout ByteReader, _ field: String, _ prefix: LengthPrefix, minimum: Int = 0, limit: Int
    ) throws(WireError) -> String {
        let text = try reader.string(field, prefix, limit: limit)
        try checkText(text, field, minimum: minimum, limit: limit)
        return text
    }
}
