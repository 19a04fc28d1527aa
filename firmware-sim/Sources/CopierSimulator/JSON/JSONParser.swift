/// A strict JSON parser (RFC 8259) for one value: no trailing commas, comments, NaN or
/// duplicate keys; nesting and size bounded so that no input can exhaust the stack.
public enum JSONParser {
    public static let maximumDepth = 32

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var cursor = Cursor(bytes: bytes)
        cursor.skipSpace()
        let value = try cursor.value(depth: 0)
        cursor.skipSpace()
        guard cursor.atEnd else { throw cursor.error("unexpected text after the value") }
        return value
    }

    private struct Cursor {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[offset] }

        func error(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { offset += 1 }
        }

        mutating func expect(_ literal: String) throws(JSONParseError) {
            for byte in literal.utf8 {
                guard peek == byte else { throw error("expected \(literal)") }
                offset += 1
            }
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth < JSONParser.maximumDepth else { throw error("nested deeper than \(JSONParser.maximumDepth) levels") }
            guard let byte = peek else { throw error("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            offset += 1
            var object = JSONObject()
            skipSpace()
            if peek == UInt8(ascii: "}") { offset += 1; return .object(object) }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
                let keyOffset = offset
                let key = try string()
                guard object[key] == nil else { throw JSONParseError(offset: keyOffset, reason: "duplicate key \"\(key)\"") }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                offset += 1
                skipSpace()
                object[key] = try value(depth: depth + 1)
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"): offset += 1; return .object(object)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            offset += 1
            var values: [JSONValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { offset += 1; return .array(values) }
            while true {
                skipSpace()
                values.append(try value(depth: depth + 1))
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"): offset += 1; return .array(values)
                default: throw error("expected ',' or ']' in an array")
                }
            }
        }

        mutating func string() throws(JSONParseError) -> String {
            offset += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() throws(JSONParseError) {
                guard !raw.isEmpty else { return }
                guard let text = String(validating: raw, as: UTF8.self) else { throw JSONParseError(offset: offset, reason: "invalid UTF-8 in a string") }
                scalars.append(contentsOf: text.unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard let byte = peek else { throw error("unterminated string") }
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    try flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush()
                    scalars.append(try escape())
                case 0x00..<0x20:
                    throw JSONParseError(offset: offset - 1, reason: "control character in a string")
                default:
                    raw.append(byte)
                }
            }
        }

        mutating func escape() throws(JSONParseError) -> Unicode.Scalar {
            guard let byte = peek else { throw error("unterminated escape") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let first = try hex4()
                if (0xD800..<0xDC00).contains(first) {
                    guard peek == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                    offset += 1
                    guard peek == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                    offset += 1
                    let second = try hex4()
                    guard (0xDC00..<0xE000).contains(second) else { throw error("unpaired surrogate") }
                    return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(first) else { throw error("unpaired surrogate") }
                return scalar
            default:
                throw JSONParseError(offset: offset - 1, reason: "invalid escape")
            }
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek, let digit = Self.hexDigit(byte) else { throw error("expected 4 hex digits after \\u") }
                value = value << 4 | digit
                offset += 1
            }
            return value
        }

        static func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = offset
            func digits(_ cursor: inout Cursor) -> Int {
                let first = cursor.offset
                while let byte = cursor.peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { cursor.offset += 1 }
                return cursor.offset - first
            }
            if peek == UInt8(ascii: "-") { offset += 1 }
            let integerStart = offset
            guard digits(&self) > 0 else { throw error("expected a digit") }
            if bytes[integerStart] == UInt8(ascii: "0") && offset - integerStart > 1 {
                throw JSONParseError(offset: integerStart, reason: "leading zero in a number")
            }
            var isInteger = true
            if peek == UInt8(ascii: ".") {
                offset += 1
                isInteger = false
                guard digits(&self) > 0 else { throw error("expected a digit after '.'") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                offset += 1
                isInteger = false
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { offset += 1 }
                guard digits(&self) > 0 else { throw error("expected a digit in the exponent") }
            }
            let text = String(decoding: bytes[start..<offset], as: UTF8.self)
            if isInteger {
                guard let value = Int64(text) else { throw JSONParseError(offset: start, reason: "integer \(text) is out of range") }
                return .integer(value)
            }
            guard let value = Double(text), value.isFinite else { throw JSONParseError(offset: start, reason: "number \(text) is out of range") }
            return .number(value)
        }
    }
}

/// Where and why a text is not JSON.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the input.
    public let offset: Int
    public let reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}
