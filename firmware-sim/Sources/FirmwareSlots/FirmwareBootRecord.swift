import Protocol

/// One of a simulated device's two firmware slots.
public enum SlotName: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case a, b

    public var other: SlotName { self == .a ? .b : .a }
    public var description: String { rawValue.uppercased() }
}

/// What a slot holds.
public enum SlotContent: Hashable, Sendable {
    case empty
    /// The firmware the device left the factory with: built in, never erased, always bootable.
    case factory
    /// A verified image, kept whole in the slot's file; `imageSHA256` is the file's hash, checked
    /// again at every boot, so a damaged slot file is never run.
    case image(version: FirmwareVersion, minimumVersion: FirmwareVersion, imageSHA256: Hash32)
}

/// A trial: the slot that runs on probation, how many more boots it gets, and when it must
/// have been confirmed.
public struct FirmwareTrial: Hashable, Sendable {
    public var slot: SlotName
    public var bootsLeft: UInt16
    public var deadline: Timestamp
}

/// The device's boot state: the part of its firmware bookkeeping that survives a power cycle,
/// saved whole (write to a temporary file, then rename) after every change. The transitions are
/// pure: time comes in as `now`, and the caller saves and reboots as they say.
public struct FirmwareBootRecord: Hashable, Sendable {
    public let model: ResourceType
    public let factoryVersion: FirmwareVersion
    /// The vendor keys images must be signed by; fixed at first start.
    public let vendorKeys: VendorKeys
    /// The lowest version the device will run again; only goes up.
    public internal(set) var minimumVersion: FirmwareVersion
    /// The confirmed working slot.
    public internal(set) var active: SlotName
    public internal(set) var slotA: SlotContent
    public internal(set) var slotB: SlotContent
    public internal(set) var trial: FirmwareTrial?
    /// How the last flash ended, kept so the agent can read it after the device rebooted.
    public internal(set) var lastState: FirmwareTransferState
    public internal(set) var lastResult: FirmwareResultCode

    /// The record of a device fresh from the factory: slot A holds the factory firmware.
    public init(model: ResourceType, factoryVersion: FirmwareVersion, vendorKeys: VendorKeys) {
        self.init(
            model: model, factoryVersion: factoryVersion, vendorKeys: vendorKeys,
            minimumVersion: factoryVersion, active: .a, slotA: .factory, slotB: .empty,
            trial: nil, lastState: .idle, lastResult: .none
        )
    }

    init(
        model: ResourceType, factoryVersion: FirmwareVersion, vendorKeys: VendorKeys,
        minimumVersion: FirmwareVersion, active: SlotName, slotA: SlotContent, slotB: SlotContent,
        trial: FirmwareTrial?, lastState: FirmwareTransferState, lastResult: FirmwareResultCode
    ) {
        self.model = model
        self.factoryVersion = factoryVersion
        self.vendorKeys = vendorKeys
        self.minimumVersion = minimumVersion
        self.active = active
        self.slotA = slotA
        self.slotB = slotB
        self.trial = trial
        self.lastState = lastState
        self.lastResult = lastResult
    }

    public subscript(slot: SlotName) -> SlotContent {
        get { slot == .a ? slotA : slotB }
        set { if slot == .a { slotA = newValue } else { slotB = newValue } }
    }

    /// The slot the device runs now: the trial slot while a trial is on, else the active one.
    public var runningSlot: SlotName { trial?.slot ?? active }

    public func version(of slot: SlotName) -> FirmwareVersion? {
        switch self[slot] {
        case .empty: return nil
        case .factory: return factoryVersion
        case let .image(version, _, _): return version
        }
    }

    public var runningVersion: FirmwareVersion { version(of: runningSlot) ?? factoryVersion }

    /// What `FirmwareImageCheck` needs to know about this device.
    public var deviceState: FirmwareDeviceState {
        FirmwareDeviceState(model: model, runningVersion: runningVersion, minimumVersion: minimumVersion)
    }

    /// Power-on: picks the slot to run. A trial slot gets one more boot if it has boots and time
    /// left; otherwise the device goes back to its active slot and says why. Each trial boot
    /// gives the image `trialSeconds` from now to be confirmed. Save the record before running
    /// the slot, so a boot counts even if the device dies during it.
    public mutating func boot(now: Timestamp, trialSeconds: Int64) -> SlotName {
        guard var running = trial else { return active }
        if running.bootsLeft == 0 {
            rollBack(.trialBootsExhausted)
        } else if now >= running.deadline {
            rollBack(.trialTimedOut)
        } else {
            running.bootsLeft -= 1
            running.deadline = now.adding(milliseconds: trialSeconds * 1000)
            trial = running
        }
        return runningSlot
    }

    /// True when the trial ran out of time: the record now says to run the active slot, and the
    /// caller saves it and reboots.
    public mutating func expire(now: Timestamp) -> Bool {
        guard let running = trial, now >= running.deadline else { return false }
        rollBack(.trialTimedOut)
        return true
    }

    /// The slot `slot` failed its check at boot (file missing or damaged). A trial slot is
    /// abandoned; a damaged active slot makes the other slot active if it holds firmware (the
    /// factory firmware is built in, so some slot always does). Returns the slot to run instead.
    public mutating func slotBroken(_ slot: SlotName) -> SlotName {
        self[slot] = .empty
        if trial?.slot == slot {
            rollBack(.slotImageBroken)
        } else if slot == active {
            active = slot.other
            trial = nil
            if self[active] == .empty { self[active] = .factory }
        }
        return runningSlot
    }

    /// A verified image was written to the inactive slot: run it on trial for at most
    /// `trialBoots` boots (the reboot that follows is the first), each within `trialSeconds`.
    public mutating func installed(_ manifest: FirmwareManifest, imageSHA256: Hash32, now: Timestamp, trialBoots: UInt16, trialSeconds: Int64) {
        let slot = active.other
        self[slot] = .image(version: manifest.version, minimumVersion: manifest.minimumVersion, imageSHA256: imageSHA256)
        trial = FirmwareTrial(slot: slot, bootsLeft: trialBoots, deadline: now.adding(milliseconds: trialSeconds * 1000))
        lastState = .trial
        lastResult = .none
    }

    /// The agent found the trial image healthy: it becomes the working image, and the minimum
    /// version rises to the image's own minimum if that is higher. Confirming again after a
    /// confirm (a retried request whose answer was lost) succeeds and changes nothing.
    public mutating func confirm() -> FirmwareResultCode {
        guard let running = trial else {
            return lastState == .confirmed ? .none : .notOnTrial
        }
        active = running.slot
        trial = nil
        if case let .image(_, imageMinimum, _) = self[running.slot], imageMinimum > minimumVersion {
            minimumVersion = imageMinimum
        }
        lastState = .confirmed
        lastResult = .none
        return .none
    }

    /// Records a refused step, for the status after a reboot too.
    public mutating func refused(_ code: FirmwareResultCode) {
        lastState = .refused
        lastResult = code
    }

    private mutating func rollBack(_ reason: FirmwareResultCode) {
        trial = nil
        lastState = .rolledBack
        lastResult = reason
    }
}
