import Protocol

/// The state file's contents: one JSON object (docs/copier-simulator.md, "State directory").
extension CopierMemory {
    public static let formatVersion: Int64 = 1

    static let topKeys = [
        "format", "model", "firmware", "boot_count", "total_pages", "total_colour_pages", "total_mono_pages",
        "latest_job", "jobs",
    ]
    static let jobKeys = ["job", "session_tag", "colour_pages", "mono_pages", "copies", "duplex", "paper", "end"]

    public var json: JSONValue {
        var top = JSONObject()
        top["format"] = .integer(Self.formatVersion)
        top["model"] = .string(model.name)
        top["firmware"] = .string(firmware.description)
        top["boot_count"] = .count(bootCount)
        top["total_pages"] = .count(totals.pages)
        top["total_colour_pages"] = .count(totals.colourPages)
        top["total_mono_pages"] = .count(totals.monoPages)
        top["latest_job"] = .count(latestSequence)
        top["jobs"] = .array(jobs.map { job in
            var entry = JSONObject()
            entry["job"] = .count(job.sequence)
            entry["session_tag"] = .count(job.sessionTag)
            entry["colour_pages"] = .count(job.colourPages)
            entry["mono_pages"] = .count(job.monoPages)
            entry["copies"] = .count(job.copies)
            entry["duplex"] = .bool(job.duplex)
            entry["paper"] = .string(job.paperSize.description)
            entry["end"] = .string(job.end.token)
            return .object(entry)
        })
        return .object(top)
    }

    /// The file's bytes: the JSON on one line, then a newline.
    public var fileBytes: [UInt8] { Array((json.text + "\n").utf8) }

    public init(fileBytes: [UInt8]) throws(CopierMemoryProblem) {
        let value: JSONValue
        do { value = try JSONParser.parse(fileBytes) } catch { throw .notJSON(error) }
        try self.init(json: value)
    }

    init(json value: JSONValue) throws(CopierMemoryProblem) {
        let top: JSONFields
        let format: Int64
        do {
            top = try JSONFields(value)
            format = try top.integer("format")
        } catch { throw .field(error) }
        guard format == Self.formatVersion else { throw .unsupportedFormat(format) }
        do {
            try top.onlyKeys(Self.topKeys)
            let modelName = try top.string("model")
            guard let model = CopierModel(name: modelName) else {
                throw JSONFieldError.invalid(field: "model", reason: "unknown model \"\(modelName)\" (known: \(CopierModel.allCases.map(\.name).joined(separator: ", ")))")
            }
            let firmwareText = try top.string("firmware")
            guard let firmware = CopierFirmwareVersion(firmwareText) else {
                throw JSONFieldError.invalid(field: "firmware", reason: "\"\(firmwareText)\" is not MAJOR.MINOR.PATCH")
            }
            let totals = CopierTotals(
                pages: try top.integer("total_pages"),
                colourPages: try top.integer("total_colour_pages"),
                monoPages: try top.integer("total_mono_pages")
            )
            let jobs = try top.array("jobs").enumerated().map { (index, entry) throws(JSONFieldError) in
                try Self.job(entry, path: "jobs[\(index)]")
            }
            try self.init(
                model: model, firmware: firmware, bootCount: try top.integer("boot_count"), totals: totals,
                latestSequence: try top.integer("latest_job"), jobs: jobs
            )
        } catch let error as JSONFieldError {
            throw .field(error)
        } catch let error as CopierMemoryProblem {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private static func job(_ value: JSONValue, path: String) throws(JSONFieldError) -> CopierJobRecord {
        let fields = try JSONFields(value, path: path)
        try fields.onlyKeys(jobKeys)
        let paperName = try fields.string("paper")
        guard let paper = PaperSize(name: paperName) else {
            throw .invalid(field: fields.name("paper"), reason: "unknown paper size \"\(paperName)\"")
        }
        let endName = try fields.string("end")
        guard let end = CopierJobEnd(token: endName) else {
            throw .invalid(field: fields.name("end"), reason: "unknown end reason \"\(endName)\"")
        }
        do {
            return try CopierJobRecord(
                sequence: try fields.integer("job", in: 1...UInt32.max),
                sessionTag: try fields.integer("session_tag"),
                colourPages: try fields.integer("colour_pages"),
                monoPages: try fields.integer("mono_pages"),
                copies: try fields.integer("copies", in: 1...UInt16.max),
                duplex: try fields.bool("duplex"),
                paperSize: paper,
                end: end
            )
        } catch let error as JSONFieldError {
            throw error
        } catch {
            throw .invalid(field: path, reason: "\(error)")
        }
    }
}
