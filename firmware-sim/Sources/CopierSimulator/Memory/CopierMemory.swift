import Protocol

/// What the controller keeps across power cycles, like a real controller's NVRAM: the model and
/// firmware it is, how often it has been powered on, its life counters, and its job ring.
/// Everything else in the map starts from its power-on value.
public struct CopierMemory: Hashable, Sendable {
    public let model: CopierModel
    public let firmware: CopierFirmwareVersion
    /// Power-ons so far, the current one included once the controller is running.
    public let bootCount: UInt32
    public let totals: CopierTotals
    /// Sequence of the last finished job; 0 before the first.
    public let latestSequence: UInt32
    /// The ring's occupied slots, oldest first (at most 16, each in its own slot).
    public let jobs: [CopierJobRecord]

    /// A controller fresh from the factory: never powered on, no jobs.
    public static func factoryNew(model: CopierModel, firmware: CopierFirmwareVersion = .factory) -> CopierMemory {
        CopierMemory(unchecked: model, firmware: firmware, bootCount: 0, totals: .zero, latestSequence: 0, jobs: [])
    }

    /// Checks that the contents are something a controller can have written.
    public init(
        model: CopierModel, firmware: CopierFirmwareVersion, bootCount: UInt32, totals: CopierTotals,
        latestSequence: UInt32, jobs: [CopierJobRecord]
    ) throws(CopierMemoryProblem) {
        guard totals.isConsistent else {
            throw .inconsistent("total pages \(totals.pages) is not total colour \(totals.colourPages) + total mono \(totals.monoPages)")
        }
        let slots = Int(CopierJobRing.slotCount)
        guard jobs.count <= slots else { throw .inconsistent("\(jobs.count) jobs, the ring holds \(slots)") }
        // Sequences within the last 16 and distinct also means one job per ring slot.
        var seen: Set<UInt32> = []
        for job in jobs {
            guard seen.insert(job.sequence).inserted else { throw .inconsistent("job \(job.sequence) is listed twice") }
            guard job.sequence <= latestSequence else {
                throw .inconsistent("job \(job.sequence) is newer than the latest job \(latestSequence)")
            }
            guard latestSequence - job.sequence < UInt32(slots) else {
                throw .inconsistent("job \(job.sequence) would have been overwritten by job \(latestSequence)")
            }
        }
        if latestSequence > 0, !jobs.contains(where: { $0.sequence == latestSequence }) {
            throw .inconsistent("the latest job \(latestSequence) has no record")
        }
        self.init(unchecked: model, firmware: firmware, bootCount: bootCount, totals: totals, latestSequence: latestSequence, jobs: jobs)
    }

    /// For the controller, whose memory is consistent by construction.
    init(unchecked model: CopierModel, firmware: CopierFirmwareVersion, bootCount: UInt32, totals: CopierTotals, latestSequence: UInt32, jobs: [CopierJobRecord]) {
        self.model = model
        self.firmware = firmware
        self.bootCount = bootCount
        self.totals = totals
        self.latestSequence = latestSequence
        self.jobs = jobs.sorted { $0.sequence < $1.sequence }
    }
}

/// Why stored memory cannot be what a controller wrote.
public enum CopierMemoryProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case notJSON(JSONParseError)
    case unsupportedFormat(Int64)
    /// A field is missing, unknown, of the wrong type or out of range; the error names it.
    case field(JSONFieldError)
    /// Every field is well formed but together they are not a state a controller can reach.
    case inconsistent(String)

    public var description: String {
        switch self {
        case let .notJSON(error): return "not valid JSON: \(error)"
        case let .unsupportedFormat(version):
            return "format \(version) is not supported (this simulator reads format \(CopierMemory.formatVersion))"
        case let .field(error): return "field \(error)"
        case let .inconsistent(reason): return "inconsistent contents: \(reason)"
        }
    }
}
