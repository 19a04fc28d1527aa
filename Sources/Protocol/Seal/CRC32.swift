/// CRC-32/ISO-HDLC, the "IEEE" CRC of Ethernet, zlib and PNG: polynomial 0x04C11DB7 (reflected
/// 0xEDB88320), init 0xFFFFFFFF, input and output reflected, xorout 0xFFFFFFFF; check value
/// 0xCBF43926 for the ASCII bytes "123456789". Every language has it, so a seal peer written
/// elsewhere needs no custom code.
public enum CRC32 {
    public static let check: UInt32 = 0xCBF4_3926

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    /// The CRC of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
