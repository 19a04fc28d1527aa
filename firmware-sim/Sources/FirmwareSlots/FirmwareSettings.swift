/// What a simulated firmware payload says the device should do: UTF-8 `key=value` lines, e.g.
///
/// ```
/// name=C45 2.0 fast
/// page-rate=25
/// feature=duplex-stapling
/// ```
///
/// `page-rate` (pages per second) is the copier's, `name` shows in the copier panel's `firmware`
/// answer and the seal's console. Keys this firmware does not know are kept but not acted on
/// (a newer payload on an older simulator); a line without `=` or an empty key is refused, and
/// the device refuses such an image as malformed before it is installed.
public struct FirmwareSettings: Hashable, Sendable {
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { "firmware payload: \(reason)" }
    }

    public private(set) var values: [String: String]
    public private(set) var features: [String]

    public init(values: [String: String] = [:], features: [String] = []) {
        self.values = values
        self.features = features
    }

    public init(payload: [UInt8]) throws(ParseError) {
        guard let text = String(validating: payload, as: UTF8.self) else {
            throw ParseError(reason: "not UTF-8 text")
        }
        var values: [String: String] = [:]
        var features: [String] = []
        for (index, line) in text.nonEmptyScalarLines().enumerated() {
            if line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw ParseError(reason: "line \(index + 1) is not key=value")
            }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if key == "feature" {
                features.append(value)
            } else {
                guard values.updateValue(value, forKey: key) == nil else {
                    throw ParseError(reason: "line \(index + 1): \(key) appears twice")
                }
            }
        }
        if let rate = values["page-rate"], Double(rate).map({ $0.isFinite && $0 > 0 }) != true {
            throw ParseError(reason: "page-rate \"\(rate)\" is not a positive number")
        }
        self.values = values
        self.features = features
    }

    public var name: String? { values["name"] }
    public var pageRate: Double? { values["page-rate"].flatMap(Double.init) }

    /// The payload text for these settings (keys sorted, features last).
    public var payload: [UInt8] {
        let lines = values.keys.sorted().map { "\($0)=\(values[$0]!)" } + features.map { "feature=\($0)" }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
