import Foundation
import Protocol

/// Why the firmware bank could not open: its files are unreadable or make no sense. A device
/// that hits this does not start, rather than guess which image to run.
public struct FirmwareBankError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "firmware: \(reason)" }
}

/// A simulated device's two firmware slots and the transfer into the spare one, kept in files
/// under one directory:
///
/// - `boot.state`: the `FirmwareBootRecord` (replaced whole: write, flush, rename; `AtomicFile`);
/// - `slot-a.img`, `slot-b.img`: the verified image each slot runs (the factory firmware has no file);
/// - `incoming.meta` + `incoming.img`: the transfer in progress, appended chunk by chunk, so a
///   transfer cut by a dead agent, link or device resumes where its bytes end.
///
/// Killing the device at any instant leaves a record that names a slot whose image is whole:
/// the slot file is renamed into place before the record that names it is saved, and a slot
/// file whose hash is not the record's is never run. One lock guards everything; callers are the
/// simulator's Modbus or USB thread and its clock.
public final class FirmwareBank: @unchecked Sendable {
    public struct Configuration: Hashable, Sendable {
        /// Boots a trial image gets (the reboot into it counts) before the device goes back.
        public var trialBoots: UInt16
        /// Seconds a trial image gets, from each of its boots, to be confirmed.
        public var trialSeconds: Int64

        public init(trialBoots: UInt16 = 3, trialSeconds: Int64 = 60) {
            self.trialBoots = trialBoots
            self.trialSeconds = trialSeconds
        }
    }

    /// The firmware the device runs since its last boot.
    public struct Running: Hashable, Sendable {
        public let slot: SlotName
        public let version: FirmwareVersion
        public let settings: FirmwareSettings
        public let onTrial: Bool
    }

    private struct Transfer: Hashable {
        var imageID: UInt32
        var size: UInt32
        var received: UInt32
    }

    public let directory: String
    public let configuration: Configuration
    private let factorySettings: FirmwareSettings
    private let clock: @Sendable () -> Timestamp
    private let lock = NSLock()
    private var record: FirmwareBootRecord
    private var transfer: Transfer?
    private var running: Running

    /// Opens the bank in `directory` (created if missing) and boots: picks the slot to run and
    /// loads its image. `vendorKeys` are needed the first time only; later they come from the
    /// record (a device's trusted keys cannot be changed by restarting it with others).
    public init(
        directory: String, model: ResourceType, factoryVersion: FirmwareVersion, factorySettings: FirmwareSettings,
        vendorKeys: [PublicKey], configuration: Configuration = Configuration(),
        clock: @escaping @Sendable () -> Timestamp
    ) throws(FirmwareBankError) {
        self.directory = directory
        self.configuration = configuration
        self.factorySettings = factorySettings
        self.clock = clock
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FirmwareBankError("cannot create \(directory): \(error.localizedDescription)")
        }
        let recordPath = directory + "/boot.state"
        if let data = FileManager.default.contents(atPath: recordPath) {
            do {
                record = try FirmwareBootRecord(text: String(decoding: data, as: UTF8.self))
            } catch {
                throw FirmwareBankError("\(recordPath): \(error)")
            }
            guard record.model == model else {
                throw FirmwareBankError("\(recordPath) is a \(record.model)'s boot state, this is a \(model)")
            }
        } else {
            guard !vendorKeys.isEmpty else {
                throw FirmwareBankError("first start needs at least one vendor public key (--vendor-key)")
            }
            record = FirmwareBootRecord(model: model, factoryVersion: factoryVersion, vendorKeys: VendorKeys(vendorKeys))
        }
        running = Running(slot: .a, version: factoryVersion, settings: factorySettings, onTrial: false)
        transfer = Self.readTransfer(directory)
        try bootLocked()
    }

    // MARK: Reading

    public var current: Running { lock.withLock { running } }
    public var bootRecord: FirmwareBootRecord { lock.withLock { record } }

    public func status(now: Timestamp? = nil) -> FirmwareSlotStatus {
        lock.withLock { statusLocked(now: now ?? clock()) }
    }

    // MARK: Transfer

    /// Starts a transfer of `size` bytes named `imageID`, or resumes it when a transfer of that
    /// id and size is already under way (the status then says how many bytes the device has).
    public func begin(imageID: UInt32, size: UInt32, sessionActive: Bool) -> FirmwareSlotStatus {
        lock.withLock {
            if let refusal = refuseStartLocked(sessionActive: sessionActive) { return refusal }
            guard size >= 1, Int(size) <= FirmwareImage.maximumSize else { return failLocked(.badSize) }
            if let transfer, transfer.imageID == imageID, transfer.size == size {
                return statusLocked(now: clock())
            }
            // Empty the data file first and name the new transfer after, so a kill in between
            // can never pair the new id with the old image's bytes.
            guard FileManager.default.createFile(atPath: dataPath, contents: nil) else { return failLocked(.badRequest) }
            let meta = "\(imageID) \(size)\n"
            guard (try? Data(meta.utf8).write(to: URL(fileURLWithPath: metaPath), options: .atomic)) != nil else {
                return failLocked(.badRequest)
            }
            transfer = Transfer(imageID: imageID, size: size, received: 0)
            record.lastState = .receiving
            record.lastResult = .none
            return statusLocked(now: clock())
        }
    }

    /// Appends `data` at `offset`. A chunk the device already holds (a retry whose answer was
    /// lost) is accepted and ignored; one past the bytes received is refused with
    /// `unexpectedOffset`, and the status says where to go on.
    public func write(imageID: UInt32, offset: UInt32, data: [UInt8]) -> FirmwareSlotStatus {
        lock.withLock {
            guard var current = transfer, current.imageID == imageID else { return failLocked(.noTransfer) }
            let end = UInt64(offset) + UInt64(data.count)
            guard end <= UInt64(current.size) else { return failLocked(.badRequest) }
            if end <= UInt64(current.received) { return statusLocked(now: clock()) }
            guard offset == current.received else { return failLocked(.unexpectedOffset) }
            guard let handle = FileHandle(forWritingAtPath: dataPath) else { return failLocked(.noTransfer) }
            defer { try? handle.close() }
            do {
                try handle.seek(toOffset: UInt64(offset))
                try handle.write(contentsOf: data)
            } catch {
                return failLocked(.badRequest)
            }
            current.received = UInt32(end)
            transfer = current
            return statusLocked(now: clock())
        }
    }

    /// What `install` decided.
    public enum InstallOutcome: Hashable, Sendable {
        /// The image is in the spare slot and the record says to boot it on trial: reboot now.
        case reboot(FirmwareSlotStatus)
        /// Nothing changed but the status (`result` says why).
        case refused(FirmwareSlotStatus)
    }

    /// Checks the whole received image; if the device may run it, writes it to the inactive slot
    /// and sets up the trial. The caller then reboots (`reboot()`).
    public func install(imageID: UInt32, sessionActive: Bool) -> InstallOutcome {
        lock.withLock {
            if let refusal = refuseStartLocked(sessionActive: sessionActive) { return .refused(refusal) }
            guard let current = transfer, current.imageID == imageID else { return .refused(failLocked(.noTransfer)) }
            guard current.received == current.size else { return .refused(failLocked(.incomplete)) }
            guard let data = FileManager.default.contents(atPath: dataPath), data.count == Int(current.size) else {
                return .refused(failLocked(.incomplete))
            }
            let bytes = [UInt8](data)
            let image: FirmwareImage
            switch FirmwareImageCheck.check(bytes, vendorKeys: record.vendorKeys, device: record.deviceState) {
            case let .failure(refusal):
                return .refused(refuseImageLocked(FirmwareResultCode(refusal)))
            case let .success(checked):
                image = checked
            }
            guard (try? FirmwareSettings(payload: image.payload)) != nil else {
                return .refused(refuseImageLocked(.malformed))
            }
            let slot = record.active.other
            let slotPath = path(of: slot)
            do {
                try AtomicFile.write(bytes, to: slotPath, durable: true)
            } catch {
                return .refused(failLocked(.badRequest))
            }
            var next = record
            next.installed(image.manifest, imageSHA256: .sha256(bytes), now: clock(), trialBoots: configuration.trialBoots, trialSeconds: configuration.trialSeconds)
            guard saveLocked(next) else { return .refused(failLocked(.badRequest)) }
            clearTransferLocked()
            return .reboot(statusLocked(now: clock()))
        }
    }

    /// The agent checked the trial image and found it good.
    public func confirm() -> FirmwareSlotStatus {
        lock.withLock {
            var next = record
            let result = next.confirm()
            guard result == .none else { return failLocked(result) }
            guard saveLocked(next) else { return failLocked(.badRequest) }
            running = Running(slot: running.slot, version: running.version, settings: running.settings, onTrial: false)
            return statusLocked(now: clock())
        }
    }

    /// Drops the transfer in progress (its bytes are discarded; the slots are untouched).
    public func abort() -> FirmwareSlotStatus {
        lock.withLock {
            clearTransferLocked()
            if record.lastState == .receiving { record.lastState = .idle }
            return statusLocked(now: clock())
        }
    }

    /// Called on the device's clock: true when an unconfirmed trial ran out of time; the record
    /// now names the working slot and the caller reboots.
    public func trialExpired() -> Bool {
        lock.withLock {
            var next = record
            guard next.expire(now: clock()) else { return false }
            return saveLocked(next)
        }
    }

    /// Power-on (or the reboot after install or a rollback): picks and loads the slot to run.
    public func reboot() throws(FirmwareBankError) {
        lock.lock()
        defer { lock.unlock() }
        try bootLocked()
    }

    // MARK: Internals (lock held)

    private var dataPath: String { directory + "/incoming.img" }
    private var metaPath: String { directory + "/incoming.meta" }
    private func path(of slot: SlotName) -> String { directory + "/slot-\(slot.rawValue).img" }

    private func bootLocked() throws(FirmwareBankError) {
        var next = record
        var slot = next.boot(now: clock(), trialSeconds: configuration.trialSeconds)
        // A slot whose file is missing or damaged is never run; at most two tries, since the
        // factory firmware needs no file.
        var settings: FirmwareSettings?
        for _ in 0..<3 {
            if let loaded = load(next, slot) { settings = loaded; break }
            slot = next.slotBroken(slot)
        }
        guard let settings else { throw FirmwareBankError("no slot holds a bootable image") }
        guard saveLocked(next) else { throw FirmwareBankError("cannot save \(directory)/boot.state") }
        running = Running(slot: slot, version: next.version(of: slot) ?? next.factoryVersion, settings: settings, onTrial: next.trial != nil)
    }

    private func load(_ record: FirmwareBootRecord, _ slot: SlotName) -> FirmwareSettings? {
        switch record[slot] {
        case .empty: return nil
        case .factory: return factorySettings
        case let .image(_, _, hash):
            guard let data = FileManager.default.contents(atPath: path(of: slot)),
                  Hash32.sha256(data) == hash,
                  let image = try? FirmwareImage.decode([UInt8](data))
            else { return nil }
            return try? FirmwareSettings(payload: image.payload)
        }
    }

    private func saveLocked(_ next: FirmwareBootRecord) -> Bool {
        do {
            try AtomicFile.write(Array(next.text.utf8), to: directory + "/boot.state", durable: true)
        } catch {
            return false
        }
        record = next
        return true
    }

    private func refuseStartLocked(sessionActive: Bool) -> FirmwareSlotStatus? {
        if sessionActive { return failLocked(.sessionActive) }
        if record.trial != nil { return failLocked(.trialPending) }
        return nil
    }

    /// A refused request: the status carries the code; the boot record is unchanged.
    private func failLocked(_ code: FirmwareResultCode) -> FirmwareSlotStatus {
        var status = statusLocked(now: clock())
        status = FirmwareSlotStatus(
            imageID: status.imageID, imageSize: status.imageSize, bytesReceived: status.bytesReceived,
            state: status.state, result: code, runningVersion: status.runningVersion,
            minimumVersion: status.minimumVersion, trialBootsLeft: status.trialBootsLeft, trialSecondsLeft: status.trialSecondsLeft
        )
        return status
    }

    /// The device refused the image: remembered (across reboots) and the transfer dropped, so a
    /// retry sends it again from the start.
    private func refuseImageLocked(_ code: FirmwareResultCode) -> FirmwareSlotStatus {
        let imageID = transfer?.imageID ?? 0
        let size = transfer?.size ?? 0
        var next = record
        next.refused(code)
        _ = saveLocked(next)
        clearTransferLocked()
        let status = statusLocked(now: clock())
        return FirmwareSlotStatus(
            imageID: imageID, imageSize: size, bytesReceived: size, state: .refused, result: code,
            runningVersion: status.runningVersion, minimumVersion: status.minimumVersion, trialBootsLeft: 0, trialSecondsLeft: 0
        )
    }

    private func clearTransferLocked() {
        transfer = nil
        try? FileManager.default.removeItem(atPath: metaPath)
        try? FileManager.default.removeItem(atPath: dataPath)
    }

    private func statusLocked(now: Timestamp) -> FirmwareSlotStatus {
        let state: FirmwareTransferState = transfer != nil ? .receiving : (record.trial != nil ? .trial : record.lastState)
        var secondsLeft: UInt16 = 0
        if let trial = record.trial {
            let milliseconds = max(0, trial.deadline.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
            secondsLeft = UInt16(clamping: (milliseconds + 999) / 1000)
        }
        return FirmwareSlotStatus(
            imageID: transfer?.imageID ?? 0, imageSize: transfer?.size ?? 0, bytesReceived: transfer?.received ?? 0,
            state: state, result: transfer != nil ? .none : record.lastResult,
            runningVersion: running.version, minimumVersion: record.minimumVersion,
            trialBootsLeft: record.trial?.bootsLeft ?? 0, trialSecondsLeft: secondsLeft
        )
    }

    private static func readTransfer(_ directory: String) -> Transfer? {
        guard let meta = FileManager.default.contents(atPath: directory + "/incoming.meta") else { return nil }
        let parts = String(decoding: meta, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let imageID = UInt32(parts[0]), let size = UInt32(parts[1]),
              let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/incoming.img"),
              let fileSize = (attributes[.size] as? NSNumber)?.uint64Value
        else { return nil }
        // Bytes past the announced size cannot be part of the image; a shorter file is where
        // the transfer stopped.
        return Transfer(imageID: imageID, size: size, received: UInt32(min(fileSize, UInt64(size))))
    }
}
