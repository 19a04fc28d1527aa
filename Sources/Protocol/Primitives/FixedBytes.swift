/// The rules shared by every value that is a fixed number of raw bytes on the wire (hashes,
/// signatures, key ids, grant ids, nonces): one length check with one error, and one way to
/// draw such a value from an injected generator.
enum FixedBytes {
    /// `bytes` when there are exactly `count` of them; otherwise `invalid <field>: must be N
    /// bytes, got M`.
    static func checked(_ bytes: [UInt8], count: Int, field: String) throws(WireError) -> [UInt8] {
        guard bytes.count == count else {
            throw .invalidValue(field: field, reason: "must be \(count) bytes, got \(bytes.count)")
        }
        return bytes
    }

    /// `count` bytes from `generator`: each 64-bit draw gives 8 bytes, big-endian, so a seeded
    /// generator always yields the same bytes.
    static func random(count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            let word: UInt64 = generator.next()
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Array(bytes.prefix(count))
    }
}
