/// A small TOML subset, enough for the agent's configuration: `[section]` headers, `key = value`
/// lines with a double-quoted string, an integer, or `true`/`false`, and `#` comments.
/// Parsing is pure; errors say which line and what was wrong.
public struct ConfigFile: Sendable, Equatable {
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case string(String)
        case integer(Int)
        case boolean(Bool)

        public var description: String {
            switch self {
            case let .string(text): return "\"\(text)\""
            case let .integer(number): return String(number)
            case let .boolean(flag): return String(flag)
            }
        }
    }

    /// Values by "section.key" (keys before any section header have no prefix).
    public private(set) var values: [String: Value] = [:]
    /// Line on which each key was set, for error messages.
    public private(set) var lines: [String: Int] = [:]

    public init(parsing text: String) throws(ConfigError) {
        var section = ""
        // Lines end in LF or CRLF (TOML allows both). Split on the scalar: "\r\n" is one
        // Character, so splitting Characters on "\n" left a CRLF file one long line.
        for (index, scalars) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var rawLine = String(String.UnicodeScalarView(scalars))
            if rawLine.unicodeScalars.last == "\r" { rawLine.unicodeScalars.removeLast() }
            let line = Self.stripComment(rawLine).trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw .syntax(line: number, "a section header must look like [name]")
                }
                section = String(line.dropFirst().dropLast()).trimmingSpaces()
                guard Self.isBareKey(section) else {
                    throw .syntax(line: number, "section name \"\(section)\" may use only letters, digits, _ and -")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .syntax(line: number, "expected key = value")
            }
            let key = String(line[..<equals]).trimmingSpaces()
            guard Self.isBareKey(key) else {
                throw .syntax(line: number, "key \"\(key)\" may use only letters, digits, _ and -")
            }
            let fullKey = section.isEmpty ? key : "\(section).\(key)"
            guard values[fullKey] == nil else {
                throw .syntax(line: number, "\(fullKey) is set twice (first on line \(lines[fullKey] ?? 0))")
            }
            let valueText = String(line[line.index(after: equals)...]).trimmingSpaces()
            values[fullKey] = try Self.parseValue(valueText, line: number, key: fullKey)
            lines[fullKey] = number
        }
    }

    private static func stripComment(_ line: String) -> String {
        var inString = false
        var escaped = false
        for (offset, character) in line.enumerated() {
            if escaped { escaped = false; continue }
            if character == "\\" && inString { escaped = true; continue }
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return String(line.prefix(offset)) }
        }
        return line
    }

    private static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    private static func parseValue(_ text: String, line: Int, key: String) throws(ConfigError) -> Value {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\""), !text.hasSuffix("\\\"") || text.hasSuffix("\\\\\"") else {
                throw .syntax(line: line, "\(key): unterminated string")
            }
            return .string(try unescape(String(text.dropFirst().dropLast()), line: line, key: key))
        }
        if let number = Int(text.replacingUnderscores()) { return .integer(number) }
        throw .syntax(line: line, "\(key): \(text.isEmpty ? "missing value" : "\(text) is not a quoted string, an integer, true or false")")
    }

    private static func unescape(_ text: String, line: Int, key: String) throws(ConfigError) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: throw .syntax(line: line, "\(key): unknown escape \\\(character)")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                throw .syntax(line: line, "\(key): unescaped quote inside a string")
            } else {
                out.append(character)
            }
        }
        return out
    }

    // MARK: typed access, each failure naming the key

    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = values[key] else { return nil }
        guard case let .string(text) = value else { throw .wrongType(key: key, expected: "a quoted string", got: value.description) }
        return text
    }

    public func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key) else { throw .missing(key: key) }
        guard !text.isEmpty else { throw .invalid(key: key, "must not be empty") }
        return text
    }

    public func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = values[key] else { return nil }
        guard case let .integer(number) = value else { throw .wrongType(key: key, expected: "an integer", got: value.description) }
        guard range.contains(number) else {
            throw .invalid(key: key, "\(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    public func boolean(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = values[key] else { return nil }
        guard case let .boolean(flag) = value else { throw .wrongType(key: key, expected: "true or false", got: value.description) }
        return flag
    }

    /// Keys present in the file that `known` does not list: a typo must not pass silently.
    public func unknownKeys(known: Set<String>) -> [String] {
        values.keys.filter { !known.contains($0) }.sorted()
    }
}

public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(line: Int, String)
    case missing(key: String)
    case wrongType(key: String, expected: String, got: String)
    case invalid(key: String, String)
    case unknownKeys([String])
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .syntax(line, message): return "config line \(line): \(message)"
        case let .missing(key): return "config: \(key) is required"
        case let .wrongType(key, expected, got): return "config: \(key) must be \(expected), not \(got)"
        case let .invalid(key, message): return "config: \(key): \(message)"
        case let .unknownKeys(keys): return "config: unknown key(s) \(keys.joined(separator: ", "))"
        case let .unreadable(path, reason): return "config: cannot read \(path): \(reason)"
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }

    fileprivate func replacingUnderscores() -> String { filter { $0 != "_" } }
}
