import CZlib

/// Encodes a `GrayImage` as a PNG (8-bit greyscale, filter type 0 on every row, one IDAT chunk
/// deflated by the system zlib). Real viewers, browsers and `file` read the result.
public enum PNGEncoder {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case zlib(code: Int32)
        public var description: String { "zlib compress2 failed with code \(self)" }
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func encode(_ image: GrayImage) throws(Failure) -> [UInt8] {
        var header: [UInt8] = []
        appendU32(UInt32(image.width), to: &header)
        appendU32(UInt32(image.height), to: &header)
        header += [8, 0, 0, 0, 0]  // bit depth 8, colour type 0 (grey), deflate, filter 0, no interlace

        var raw: [UInt8] = []
        raw.reserveCapacity((image.width + 1) * image.height)
        for row in 0..<image.height {
            raw.append(0)  // filter type None
            raw += image.pixels[(row * image.width)..<((row + 1) * image.width)]
        }

        var png = signature
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", try deflate(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    private static func deflate(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        var outputLength = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(outputLength))
        let code = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                compress2(out.baseAddress, &outputLength, inp.baseAddress, uLong(inp.count), 6)
            }
        }
        guard code == Z_OK else { throw .zlib(code: code) }
        return Array(output.prefix(Int(outputLength)))
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        appendU32(UInt32(data.count), to: &png)
        let typeAndData = Array(type.utf8) + data
        png += typeAndData
        let checksum = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendU32(UInt32(checksum), to: &png)
    }

    private static func appendU32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
