/// Reads the fields of one JSON object strictly, naming the field in every error (with its
/// path, like `jobs[3].paper`), for the state file and the panel commands alike.
struct JSONFields {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String = "") throws(JSONFieldError) {
        guard let object = value.objectValue else { throw .wrongType(field: path.isEmpty ? "(top level)" : path, expected: "an object") }
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Refuses keys outside `allowed`, so that a misspelt key is reported rather than ignored.
    func onlyKeys(_ allowed: [String]) throws(JSONFieldError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw .unknown(field: name(unknown), allowed: allowed)
        }
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func value(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let value = object[key] else { throw .missing(name(key)) }
        return value
    }

    func integer<T: FixedWidthInteger>(_ key: String, in range: ClosedRange<T> = T.min...T.max) throws(JSONFieldError) -> T {
        guard let raw = try value(key).integerValue else { throw .wrongType(field: name(key), expected: "an integer") }
        guard let value = T(exactly: raw), range.contains(value) else {
            throw .invalid(field: name(key), reason: "\(raw) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func integer<T: FixedWidthInteger>(_ key: String, in range: ClosedRange<T> = T.min...T.max, default fallback: T) throws(JSONFieldError) -> T {
        has(key) ? try integer(key, in: range) : fallback
    }

    func bool(_ key: String) throws(JSONFieldError) -> Bool {
        guard let value = try value(key).boolValue else { throw .wrongType(field: name(key), expected: "true or false") }
        return value
    }

    func bool(_ key: String, default fallback: Bool) throws(JSONFieldError) -> Bool {
        has(key) ? try bool(key) : fallback
    }

    func string(_ key: String) throws(JSONFieldError) -> String {
        guard let value = try value(key).stringValue else { throw .wrongType(field: name(key), expected: "a string") }
        return value
    }

    func array(_ key: String) throws(JSONFieldError) -> [JSONValue] {
        guard let value = try value(key).arrayValue else { throw .wrongType(field: name(key), expected: "an array") }
        return value
    }
}

/// A field of a JSON object that is not what it must be.
public enum JSONFieldError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(String)
    case unknown(field: String, allowed: [String])
    case wrongType(field: String, expected: String)
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .missing(field): return "\"\(field)\" is missing"
        case let .unknown(field, allowed): return "unknown key \"\(field)\" (expected \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")))"
        case let .wrongType(field, expected): return "\"\(field)\" must be \(expected)"
        case let .invalid(field, reason): return "\"\(field)\": \(reason)"
        }
    }
}
