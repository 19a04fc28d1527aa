import AgentConfiguration

/// libFuzzer entry point for the agent's configuration: the TOML subset parser (`ConfigFile`)
/// and the checks that turn it into an `AgentConfig`. Properties checked on every input:
/// - no crash or sanitizer report; a refused file is a `ConfigError` (typed throws), and a
///   syntax error names a line of the file;
/// - a parsed file written back out as TOML (quotes and escapes as the parser reads them)
///   parses to the same values: everything the parser accepts, it can read again;
/// - a config that validates validates again from that rewritten file, to the same config,
///   and keeps the rules it was checked by (ranges, loopback print port, a copier or a seal).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The agent reads the file as UTF-8; invalid bytes become U+FFFD here so every input is text.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file: ConfigFile
    do {
        file = try ConfigFile(parsing: text)
    } catch {
        guard case let .syntax(line, _) = error else { fatalError("parsing failed with \(error), not a syntax error") }
        // Lines as the parser counts them: split on the scalar ("\r\n" is one Character).
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).count
        guard (1...lines).contains(line) else { fatalError("syntax error on line \(line) of \(lines)") }
        return 0
    }
    guard let rewritten = write(file) else { return 0 }
    let again: ConfigFile
    do {
        again = try ConfigFile(parsing: rewritten)
    } catch {
        fatalError("the parser refuses what it parsed, written back (\(error)):\n\(rewritten)")
    }
    guard again.values == file.values else { fatalError("values changed when written back:\n\(rewritten)") }

    let config: AgentConfig
    do {
        config = try AgentConfig(file: file)
    } catch {
        if case .unreadable = error { fatalError("a config parsed from text is \(error)") }
        return 0
    }
    guard (try? AgentConfig(file: again)) == config else { fatalError("the config does not validate again from its own values") }
    guard config.modbus != nil || config.seal != nil else { fatalError("a config with neither a copier nor a seal") }
    guard (1...247).contains(config.modbusUnitID), (10...10_000).contains(config.modbusResponseTimeoutMilliseconds),
          (100...60_000).contains(config.watchdogMilliseconds), (5...3600).contains(config.idleTimeoutSeconds),
          (1...86_400).contains(config.checkpointSeconds)
    else { fatalError("a value outside its range was accepted") }
    if let print = config.printAddress {
        guard print.isLoopback, config.modbus != nil else { fatalError("print port \(print) accepted") }
    }
    if config.readerKind == .evdev && config.readerDevice == nil { fatalError("evdev reader without a device") }
    if config.cameraKind == .v4l2 && config.cameraDevice == nil { fatalError("v4l2 camera without a device") }
    if let seal = config.seal, seal.photosAfterUse != nil, seal.photoMode != .manual { fatalError("photos after use outside manual mode") }
    return 0
}

/// The file's values as TOML the parser reads: keys without a section first, then each section.
/// Nil when a quote would fuse with the text beside it into one Character (a combining mark at
/// either end of a string), which no writer can avoid.
private func write(_ file: ConfigFile) -> String? {
    var sections: [String: [(String, ConfigFile.Value)]] = [:]
    for (fullKey, value) in file.values {
        let parts = fullKey.split(separator: ".", maxSplits: 1).map(String.init)
        let (section, key) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        sections[section, default: []].append((key, value))
    }
    var text = ""
    for section in sections.keys.sorted() {
        if !section.isEmpty { text += "[\(section)]\n" }
        for (key, value) in sections[section]!.sorted(by: { $0.0 < $1.0 }) {
            switch value {
            case let .string(string):
                var escaped = ""
                for character in string {
                    switch character {
                    case "\\": escaped += "\\\\"
                    case "\"": escaped += "\\\""
                    case "\n": escaped += "\\n"
                    case "\t": escaped += "\\t"
                    default: escaped.append(character)
                    }
                }
                let quoted = "\"\(escaped)\""
                guard quoted.count == escaped.count + 2 else { return nil }
                text += "\(key) = \(quoted)\n"
            case let .integer(number):
                text += "\(key) = \(number)\n"
            case let .boolean(flag):
                text += "\(key) = \(flag)\n"
            }
        }
    }
    return text
}
