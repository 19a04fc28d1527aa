import Foundation

/// Any JSON value, decoded without a schema, so that request bodies can be checked field by
/// field with errors that name the field (`JSONObjectReader`).
indirect enum JSONValue: Decodable, Hashable, Sendable {
    case null
    case bool(Bool)
    /// An integer that fits Int64.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Parses a request body. Anything that is not JSON is an `InputError` on `body`.
    static func parse(_ bytes: [UInt8]) throws(InputError) -> JSONValue {
        guard !bytes.isEmpty else { throw InputError(field: "body", "is empty; a JSON object is expected") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw InputError(field: "body", "is not valid JSON")
        }
    }
}

/// Reads the fields of a JSON object one by one; each accessor names the field in its error,
/// and `finish()` refuses fields nobody asked for (a typo must not be silently ignored).
struct JSONObjectReader {
    private let fields: [String: JSONValue]
    private var read: Set<String> = []
    private let prefix: String

    init(_ value: JSONValue, field: String = "body") throws(InputError) {
        guard case let .object(fields) = value else { throw InputError(field: field, "must be a JSON object, got \(value.kind)") }
        self.fields = fields
        prefix = field == "body" ? "" : field + "."
    }

    init(body bytes: [UInt8]) throws(InputError) {
        try self.init(try JSONValue.parse(bytes))
    }

    private mutating func value(_ name: String) -> JSONValue? {
        read.insert(name)
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    mutating func string(_ name: String) throws(InputError) -> String {
        guard let value = try optionalString(name) else { throw InputError(field: prefix + name, "is required") }
        return value
    }

    mutating func optionalString(_ name: String) throws(InputError) -> String? {
        guard let value = value(name) else { return nil }
        guard case let .string(text) = value else { throw InputError(field: prefix + name, "must be a string, got \(value.kind)") }
        return text
    }

    mutating func integer(_ name: String) throws(InputError) -> Int64 {
        guard let value = try optionalInteger(name) else { throw InputError(field: prefix + name, "is required") }
        return value
    }

    mutating func optionalInteger(_ name: String) throws(InputError) -> Int64? {
        guard let value = value(name) else { return nil }
        guard case let .integer(number) = value else {
            throw InputError(field: prefix + name, "must be a whole number, got \(value.kind == "a number" ? "a fraction or a number too large" : value.kind)")
        }
        return number
    }

    mutating func bool(_ name: String) throws(InputError) -> Bool {
        guard let value = try optionalBool(name) else { throw InputError(field: prefix + name, "is required") }
        return value
    }

    mutating func optionalBool(_ name: String) throws(InputError) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case let .bool(flag) = value else { throw InputError(field: prefix + name, "must be true or false, got \(value.kind)") }
        return flag
    }

    /// An optional array of strings, at most `limit` long.
    mutating func optionalStrings(_ name: String, limit: Int) throws(InputError) -> [String]? {
        guard let value = value(name) else { return nil }
        guard case let .array(items) = value else { throw InputError(field: prefix + name, "must be an array of strings, got \(value.kind)") }
        guard items.count <= limit else { throw InputError(field: prefix + name, "must have at most \(limit) entries") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case let .string(text) = item else { throw InputError(field: "\(prefix)\(name)[\(index)]", "must be a string, got \(item.kind)") }
            strings.append(text)
        }
        return strings
    }

    /// An optional array of objects, each read by `each`, at most `limit` long.
    mutating func optionalObjects<T>(_ name: String, limit: Int, _ each: (inout JSONObjectReader) throws(InputError) -> T) throws(InputError) -> [T]? {
        guard let value = value(name) else { return nil }
        guard case let .array(items) = value else { throw InputError(field: prefix + name, "must be an array, got \(value.kind)") }
        guard items.count <= limit else { throw InputError(field: prefix + name, "must have at most \(limit) entries") }
        var results: [T] = []
        for (index, item) in items.enumerated() {
            var reader = try JSONObjectReader(item, field: "\(prefix)\(name)[\(index)]")
            results.append(try each(&reader))
            try reader.finish()
        }
        return results
    }

    /// Refuses any field that was not read.
    func finish() throws(InputError) {
        if let unknown = fields.keys.sorted().first(where: { !read.contains($0) }) {
            throw InputError(field: prefix + unknown, "is not a known field")
        }
    }
}
