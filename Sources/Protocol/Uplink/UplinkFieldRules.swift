/// Checks shared by several uplink payloads, so each rule (and its error text) is written once.
enum UplinkFieldRules {
    /// Sets are sent sorted without duplicates, so that one set has exactly one encoding.
    static func checkStrictlyAscending<T>(_ values: [T], _ field: String, by less: (T, T) -> Bool) throws(WireError) {
        for index in values.indices.dropFirst() where !less(values[index - 1], values[index]) {
            throw .invalidValue(field: field, reason: "must be strictly ascending (sorted, no duplicates); entry \(index) is not")
        }
    }

    /// A data chunk must end within the largest object it can belong to.
    static func checkChunk(offset: UInt64, count: Int, limit: UInt64, _ field: String) throws(WireError) {
        let end = offset.addingReportingOverflow(UInt64(count))
        guard !end.overflow, end.partialValue <= limit else {
            throw .invalidValue(field: field, reason: "offset \(offset) + \(count) byte(s) ends past the maximum size \(limit)")
        }
    }

    /// Text is read as a `string<u16>` limited to `limit` bytes.
    static func readText(_ reader: inout ByteReader, _ field: String, limit: Int = UplinkLimits.textLength) throws(WireError) -> String {
        try reader.string(field, .u16, limit: limit)
    }
}
