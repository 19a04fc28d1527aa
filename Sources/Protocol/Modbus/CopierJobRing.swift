/// The ring of the controller's last finished jobs, at fixed input addresses.
///
/// Job `n` lives in slot `n mod slotCount`, at input address
/// `baseAddress + (n mod slotCount) * 14`, and carries its own sequence. Fixed slots (rather
/// than a "job select" holding register and a read window) make reading a record one
/// side-effect-free request: a retried or duplicated read is harmless, two readers cannot
/// disturb each other, and a slot that was overwritten is recognised by its sequence.
public enum CopierJobRing {
    public static let baseAddress: UInt16 = 100
    public static let slotCount: UInt16 = 16

    /// The slot job `sequence` is written to.
    public static func slotIndex(for sequence: UInt32) -> Int {
        Int(sequence % UInt32(slotCount))
    }

    /// The 14 input registers of the slot job `sequence` is written to.
    public static func slot(for sequence: UInt32) -> InputField {
        let index = UInt16(slotIndex(for: sequence))
        return InputField(
            "job ring slot \(index)",
            address: baseAddress + index * UInt16(CopierJobRecord.registerCount),
            count: UInt16(CopierJobRecord.registerCount),
            access: .readOnly
        )
    }

    /// Which sequences to read after the agent has handled every job up to `lastSeen`, when
    /// input 10-11 says `latest`.
    public static func plan(lastSeen: UInt32, latest: UInt32) -> CopierJobReadPlan {
        if latest == lastSeen { return .upToDate }
        if latest < lastSeen { return .counterWentBack(lastSeen: lastSeen, latest: latest) }
        let first = lastSeen + 1
        let oldestKept = latest >= UInt32(slotCount) ? latest - UInt32(slotCount) + 1 : 1
        if first >= oldestKept { return .read(first...latest, lost: nil) }
        return .read(oldestKept...latest, lost: first...(oldestKept - 1))
    }

    /// Interprets the registers read from `slot(for: sequence)`.
    public static func reading(_ registers: [UInt16], expecting sequence: UInt32) throws(CopierJobRecordError) -> CopierJobSlotReading {
        let record: CopierJobRecord
        do {
            record = try CopierJobRecord(registers: registers)
        } catch .emptySlot {
            return .notYetWritten(found: nil)
        }
        let slot = slotIndex(for: sequence)
        guard slotIndex(for: record.sequence) == slot else {
            throw .wrongSlot(sequence: record.sequence, slot: slot, expectedSlot: slotIndex(for: record.sequence))
        }
        if record.sequence == sequence { return .record(record) }
        if record.sequence > sequence { return .overwritten(by: record.sequence) }
        return .notYetWritten(found: record.sequence)
    }
}

/// What the agent should read from the ring.
public enum CopierJobReadPlan: Hashable, Sendable, CustomStringConvertible {
    /// No job ended since the last poll.
    case upToDate
    /// Read these sequences in order. `lost` are jobs already overwritten because more than
    /// `slotCount` ended between two polls; the agent logs them as lost, never silently.
    case read(ClosedRange<UInt32>, lost: ClosedRange<UInt32>?)
    /// The controller's latest sequence is below what the agent has seen: it was replaced or
    /// its memory cleared. The agent raises a fault and resets its own position.
    case counterWentBack(lastSeen: UInt32, latest: UInt32)

    public var description: String {
        switch self {
        case .upToDate: return "up to date"
        case let .read(range, nil): return "read jobs \(range.lowerBound)...\(range.upperBound)"
        case let .read(range, lost?):
            return "read jobs \(range.lowerBound)...\(range.upperBound); jobs \(lost.lowerBound)...\(lost.upperBound) were overwritten"
        case let .counterWentBack(lastSeen, latest):
            return "job sequence went back from \(lastSeen) to \(latest)"
        }
    }
}

/// What a ring slot said about the job the agent asked for.
public enum CopierJobSlotReading: Hashable, Sendable {
    case record(CopierJobRecord)
    /// A later job (`by`) has taken the slot: the wanted job is lost.
    case overwritten(by: UInt32)
    /// The slot still holds an older job (`found`) or nothing: the wanted job has not been
    /// written, which the controller's write order rules out once input 10-11 reached it.
    case notYetWritten(found: UInt32?)
}
