import Protocol

/// The copier controller of docs/modbus-map.md as a value: every register of the map and every
/// rule behind them (watchdog, page budget, relay, fault, power-on, job ring), with no clock,
/// thread or file. Time comes in as `now`, the time since power-on; each call first brings the
/// controller up to `now` (`tick`), so what it does at an instant never depends on how often
/// it was ticked before. A `now` earlier than the last one is taken as the last one.
///
/// The simulator's runtime keeps one controller under one lock and acts on the events it
/// leaves (`takeEvents`): pages to scan, finished jobs to save and report.
public struct CopierController: Hashable, Sendable {
    public let model: CopierModel
    public let firmware: CopierFirmwareVersion
    /// This power-on included.
    public let bootCount: UInt32
    public let pageRate: CopierPageRate

    /// Coil 0: 1 = copier enabled.
    public internal(set) var relay = false
    /// Holding 0, in milliseconds; applies from the next watchdog restart.
    public internal(set) var watchdogTimeout: UInt16 = CopierModbusMap.defaultWatchdogTimeout
    /// Holding 1: the last heartbeat value written.
    public internal(set) var heartbeat: UInt16 = 0
    /// When the watchdog runs out; set exactly while the relay is 1.
    public internal(set) var watchdogDeadline: Duration?
    /// Holding 2-3. Never non-zero-and-stranded: whenever the relay goes to 0 it goes to 0.
    public internal(set) var pageBudget: UInt32 = 0
    /// Holding 4-5.
    public internal(set) var sessionTag: UInt32 = 0
    /// Input 0-5.
    public internal(set) var totals: CopierTotals
    /// Input 9; `.none` unless the state is fault.
    public internal(set) var fault: CopierFault = .none
    public internal(set) var currentJob: CopierJobProgress?
    /// Input 10-11.
    public internal(set) var latestSequence: UInt32
    /// Input 100-323: slot k holds the record of the last job with sequence ≡ k (mod 16).
    public internal(set) var ring: [CopierJobRecord?]
    /// How far the controller has been brought (time since power-on).
    public internal(set) var now: Duration = .zero
    var events: [CopierEvent] = []

    /// Powers a controller on with what its memory kept: relay 0, watchdog 2000 ms, heartbeat,
    /// budget and session tag 0, boot count one more than the memory says.
    public init(poweringOnWith memory: CopierMemory, pageRate: CopierPageRate = .standard) {
        model = memory.model
        firmware = memory.firmware
        bootCount = memory.bootCount.addingSaturating(1)
        self.pageRate = pageRate
        totals = memory.totals
        latestSequence = memory.latestSequence
        var ring = [CopierJobRecord?](repeating: nil, count: Int(CopierJobRing.slotCount))
        for job in memory.jobs { ring[CopierJobRing.slotIndex(for: job.sequence)] = job }
        self.ring = ring
    }

    /// Input 8, derived so that it cannot disagree with the relay, the fault and the job.
    public var state: CopierState {
        if fault != .none { return .fault }
        if !relay { return .locked }
        return currentJob == nil ? .ready : .copying
    }

    /// What to save: the parts of the state that survive a power cycle.
    public var memory: CopierMemory {
        CopierMemory(
            unchecked: model, firmware: firmware, bootCount: bootCount, totals: totals,
            latestSequence: latestSequence, jobs: ring.compactMap { $0 }
        )
    }

    /// Input 15: milliseconds before the watchdog runs out, 0 while the relay is 0.
    public var watchdogRemainingMilliseconds: UInt16 {
        guard relay, let deadline = watchdogDeadline else { return 0 }
        return UInt16(clamping: Self.milliseconds(deadline - now))
    }

    /// Input 16-17: whole seconds since power-on.
    public var uptimeSeconds: UInt32 { UInt32(clamping: now.components.seconds) }

    /// The events since the last call, oldest first.
    public mutating func takeEvents() -> [CopierEvent] {
        defer { events.removeAll() }
        return events
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
