import Protocol

/// The one answer to a panel `job`, sent when the job ends (or at once when it cannot start).
public struct CopierJobOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The job's sequence; nil when the copier refused to start it.
    public let sequence: UInt32?
    public let pagesPrinted: UInt32
    /// How it ended; `.completed` is `"stopped": null`.
    public let end: CopierJobEnd
    /// The scans written for its pages, in page order.
    public let scans: [String]

    public init(sequence: UInt32?, pagesPrinted: UInt32, end: CopierJobEnd, scans: [String]) {
        self.sequence = sequence
        self.pagesPrinted = pagesPrinted
        self.end = end
        self.scans = scans
    }

    /// The answer to a job the copier would not start (`.lockedByAgent` or `.fault`).
    public static func notStarted(_ end: CopierJobEnd) -> CopierJobOutcome {
        CopierJobOutcome(sequence: nil, pagesPrinted: 0, end: end, scans: [])
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["job"] = sequence.map { .count($0) } ?? .null
        object["pages_printed"] = .count(pagesPrinted)
        object["stopped"] = end == .completed ? .null : .string(end.token)
        object["scans"] = .array(scans.map { .string($0) })
        return .object(object)
    }

    /// Reads an answer line back (for clients and tests).
    public init(json value: JSONValue) throws(JSONFieldError) {
        let fields = try JSONFields(value)
        try fields.onlyKeys(["job", "pages_printed", "stopped", "scans"])
        sequence = try fields.value("job") == .null ? nil : try fields.integer("job") as UInt32
        pagesPrinted = try fields.integer("pages_printed")
        if try fields.value("stopped") == .null {
            end = .completed
        } else {
            let token = try fields.string("stopped")
            guard let end = CopierJobEnd(token: token), end != .completed else {
                throw .invalid(field: "stopped", reason: "unknown value \"\(token)\"")
            }
            self.end = end
        }
        scans = try fields.array("scans").enumerated().map { (index, entry) throws(JSONFieldError) in
            guard let path = entry.stringValue else { throw .wrongType(field: "scans[\(index)]", expected: "a string") }
            return path
        }
    }

    public var description: String { json.text }
}

/// The answer to `status`: the controller as a person at the copier (or a test) sees it.
public enum PanelStatus {
    public static func json(_ controller: CopierController, modbusFault: ModbusFaultInjection) -> JSONValue {
        var object = JSONObject()
        object["state"] = .string(controller.state.description)
        object["relay"] = .bool(controller.relay)
        object["fault"] = .integer(Int64(controller.fault.rawValue))
        object["fault_name"] = .string(controller.fault.description)
        object["page_budget"] = .count(controller.pageBudget)
        object["session_tag"] = .count(controller.sessionTag)
        object["watchdog_timeout_ms"] = .count(controller.watchdogTimeout)
        object["watchdog_remaining_ms"] = .count(controller.watchdogRemainingMilliseconds)
        object["heartbeat"] = .count(controller.heartbeat)
        if let job = controller.currentJob {
            var current = JSONObject()
            current["job"] = .count(job.sequence)
            current["pages_printed"] = .count(job.pagesPrinted)
            current["pages_total"] = .count(job.request.totalPages)
            current["copies"] = .count(job.request.copies)
            current["pages"] = .count(job.request.originals)
            current["colour"] = .bool(job.printsColour)
            current["duplex"] = .bool(job.request.duplex)
            current["paper"] = .string(job.request.paper.description)
            current["session_tag"] = .count(job.sessionTag)
            object["current_job"] = .object(current)
        } else {
            object["current_job"] = .null
        }
        object["total_pages"] = .count(controller.totals.pages)
        object["total_colour_pages"] = .count(controller.totals.colourPages)
        object["total_mono_pages"] = .count(controller.totals.monoPages)
        object["latest_job"] = .count(controller.latestSequence)
        object["boot_count"] = .count(controller.bootCount)
        object["uptime_s"] = .count(controller.uptimeSeconds)
        object["firmware"] = .string(controller.firmware.description)
        object["model"] = .string(controller.model.name)
        object["model_id"] = .count(controller.model.rawValue)
        object["page_rate"] = .number(controller.pageRate.pagesPerSecond)
        object["modbus_fault"] = modbusFault.json
        return .object(object)
    }

    /// `{"error": message}`.
    public static func error(_ message: String) -> JSONValue { .object(["error": .string(message)]) }
}
