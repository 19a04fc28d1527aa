import Protocol

/// One request to the front panel: a JSON object on one line with a `cmd` key
/// (docs/copier-simulator.md, "Front panel").
public enum PanelCommand: Hashable, Sendable {
    /// Run a job and answer when it ends.
    case job(CopierJobRequest)
    case status
    /// Cancel the running job (its requester's answer says "cancelled").
    case cancel
    /// Set (or with `.none` clear) the Modbus link fault.
    case modbusFault(ModbusFaultInjection)
    /// Raise a hardware fault, or with `.none` clear it.
    case copierFault(CopierFault)

    /// Longest request line the panel reads, newline excluded.
    public static let maximumLineLength = 4096

    static let jobKeys = ["cmd", "copies", "pages", "colour", "duplex", "paper"]
    static let faultKeys = ["delay_ms", "exception", "drop", "silence", "clear"]
    static let copierFaultKeys = ["code", "clear"]

    public static func parse(_ line: String) throws(PanelCommandError) -> PanelCommand {
        guard line.utf8.count <= maximumLineLength else { throw .lineTooLong(limit: maximumLineLength) }
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { throw .notJSON(error) }
        do {
            return try parse(fields: try JSONFields(value))
        } catch let error as JSONFieldError {
            throw .field(error)
        } catch let error as PanelCommandError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private static func parse(fields: JSONFields) throws -> PanelCommand {
        let name = try fields.string("cmd")
        switch name {
        case "job":
            try fields.onlyKeys(jobKeys)
            let paperName = try fields.has("paper") ? fields.string("paper") : PaperSize.a4.description
            guard let paper = PaperSize(name: paperName) else {
                throw JSONFieldError.invalid(field: "paper", reason: "unknown paper size \"\(paperName)\" (A4, A3, B4, B5, Letter, Legal)")
            }
            do {
                return .job(try CopierJobRequest(
                    copies: try fields.integer("copies", in: 1...UInt16.max, default: 1),
                    originals: try fields.integer("pages", in: 1...UInt16.max),
                    colour: try fields.bool("colour", default: false),
                    duplex: try fields.bool("duplex", default: false),
                    paper: paper
                ))
            } catch let error as CopierJobRefusal {
                throw PanelCommandError.refused(error)
            }
        case "status", "cancel":
            try fields.onlyKeys(["cmd"])
            return name == "status" ? .status : .cancel
        case "fault":
            try fields.onlyKeys(["cmd"] + faultKeys)
            switch try exactlyOne(of: faultKeys, in: fields, command: name) {
            case "delay_ms":
                let milliseconds: Int64 = try fields.integer("delay_ms", in: ModbusFaultInjection.delayRange)
                return .modbusFault(.delay(.milliseconds(milliseconds)))
            case "exception":
                let code: UInt8 = try fields.integer("exception")
                guard let exception = ModbusException(rawValue: code) else {
                    throw JSONFieldError.invalid(
                        field: "exception",
                        reason: "\(code) is not a Modbus exception code (\(ModbusException.allCases.map { String($0.rawValue) }.joined(separator: ", ")))"
                    )
                }
                return .modbusFault(.exception(exception))
            case "drop": try mustBeTrue("drop", fields); return .modbusFault(.drop)
            case "silence": try mustBeTrue("silence", fields); return .modbusFault(.silence)
            default: try mustBeTrue("clear", fields); return .modbusFault(.none)
            }
        case "copier_fault":
            try fields.onlyKeys(["cmd"] + copierFaultKeys)
            if try exactlyOne(of: copierFaultKeys, in: fields, command: name) == "clear" {
                try mustBeTrue("clear", fields)
                return .copierFault(.none)
            }
            let code: UInt16 = try fields.integer("code", in: 1...5)
            return .copierFault(CopierFault(rawValue: code) ?? .internalError)
        default:
            throw PanelCommandError.unknownCommand(name)
        }
    }

    private static func exactlyOne(of keys: [String], in fields: JSONFields, command: String) throws(PanelCommandError) -> String {
        let present = keys.filter(fields.has)
        guard present.count == 1 else { throw .needsExactlyOne(command: command, keys: keys, got: present) }
        return present[0]
    }

    private static func mustBeTrue(_ key: String, _ fields: JSONFields) throws(JSONFieldError) {
        guard try fields.bool(key) else { throw .invalid(field: key, reason: "must be true (leave the key out instead)") }
    }

    /// The request line for this command, without its newline.
    public var json: JSONValue {
        var object: JSONObject
        switch self {
        case let .job(request):
            object = ["cmd": "job", "copies": .count(request.copies), "pages": .count(request.originals)]
            object["colour"] = .bool(request.colour)
            object["duplex"] = .bool(request.duplex)
            object["paper"] = .string(request.paper.description)
        case .status: object = ["cmd": "status"]
        case .cancel: object = ["cmd": "cancel"]
        case let .modbusFault(fault):
            object = ["cmd": "fault"]
            switch fault {
            case .none: object["clear"] = true
            case let .delay(duration): object["delay_ms"] = .integer(CopierController.milliseconds(duration))
            case let .exception(exception): object["exception"] = .integer(Int64(exception.rawValue))
            case .drop: object["drop"] = true
            case .silence: object["silence"] = true
            }
        case let .copierFault(fault):
            object = ["cmd": "copier_fault"]
            if fault == .none { object["clear"] = true } else { object["code"] = .integer(Int64(fault.rawValue)) }
        }
        return .object(object)
    }
}

/// Why a panel line is not a command; the panel answers `{"error": description}`.
public enum PanelCommandError: Error, Hashable, Sendable, CustomStringConvertible {
    case lineTooLong(limit: Int)
    case notJSON(JSONParseError)
    case field(JSONFieldError)
    case unknownCommand(String)
    case needsExactlyOne(command: String, keys: [String], got: [String])
    case refused(CopierJobRefusal)

    public var description: String {
        switch self {
        case let .lineTooLong(limit): return "request line longer than \(limit) bytes"
        case let .notJSON(error): return "not JSON: \(error)"
        case let .field(error): return error.description
        case let .unknownCommand(name): return "unknown command \"\(name)\" (job, status, cancel, fault, copier_fault)"
        case let .needsExactlyOne(command, keys, got):
            let listed = keys.map { "\"\($0)\"" }.joined(separator: ", ")
            return got.isEmpty
                ? "\(command) needs one of \(listed)"
                : "\(command) takes only one of \(listed), got \(got.map { "\"\($0)\"" }.joined(separator: ", "))"
        case let .refused(refusal): return refusal.description
        }
    }
}
