import Dispatch
import FirmwareSlots
import Foundation
import LineIO
import Protocol

public struct SealHostOptions: Sendable {
    public var identity: SealIdentity
    public var stateDirectory: String
    public var usb: SealUSBDescription
    public var panel: SealPanelAddress
    /// Vendor public keys for the firmware boot state (`<stateDirectory>/firmware`), needed when
    /// it is created; without them and without a boot state the seal takes no firmware.
    public var vendorKeys: [PublicKey]
    public var trial: FirmwareBank.Configuration

    public init(
        identity: SealIdentity, stateDirectory: String, usb: SealUSBDescription = SealUSBDescription(), panel: SealPanelAddress,
        vendorKeys: [PublicKey] = [], trial: FirmwareBank.Configuration = .init()
    ) {
        self.vendorKeys = vendorKeys
        self.trial = trial
        self.identity = identity
        self.stateDirectory = stateDirectory
        self.usb = usb
        self.panel = panel
    }
}

/// The front panel's address: loopback TCP or a Unix socket path.
public enum SealPanelAddress: Hashable, Sendable, CustomStringConvertible {
    case tcp(SocketAddress)
    case unix(String)

    /// `HOST:PORT`, or a path (anything with a `/`).
    public static func parse(_ text: String, allowAnyPort: Bool) throws(SocketAddressError) -> SealPanelAddress {
        if text.contains("/") { return .unix(text) }
        return .tcp(try SocketAddress.parse(text, allowAnyPort: allowAnyPort))
    }

    public var description: String {
        switch self {
        case let .tcp(address): return address.description
        case let .unix(path): return path
        }
    }
}

/// The running seal: firmware, its memory on disk, the umockdev device, a 10 ms tick for the
/// watchdog and report resends, and the front panel. Every firmware step runs under one lock,
/// whether it comes from USB (umockdev's worker thread), the panel or the tick.
public final class SealHost: @unchecked Sendable {
    public let options: SealHostOptions
    private let lock = NSLock()
    private var firmware: SealFirmware      // under `lock`
    private let store: SealMemoryStore
    private var device: SealUSBDevice!       // set once in init
    private var panelServer: LineServer!     // set once in init
    public private(set) var panelPort: Int = 0
    private let timer: any DispatchSourceTimer
    private let started = ContinuousClock.now
    private var saveFailure: SealStoreError?  // under `lock`

    public init(options: SealHostOptions) throws {
        self.options = options
        store = try SealMemoryStore(directory: options.stateDirectory)
        let firmwareDirectory = options.stateDirectory + "/firmware"
        var bank: FirmwareBank?
        if !options.vendorKeys.isEmpty || FileManager.default.fileExists(atPath: firmwareDirectory + "/boot.state") {
            bank = try FirmwareBank(
                directory: firmwareDirectory, model: .seal, factoryVersion: options.identity.firmware,
                factorySettings: FirmwareSettings(), vendorKeys: options.vendorKeys, configuration: options.trial,
                clock: { Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
            )
        }
        firmware = SealFirmware(identity: options.identity, memory: try store.load(), firmwareBank: bank)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "seal-tick"))
        device = try SealUSBDevice(description: options.usb) { [weak self] bytes in self?.fromUSB(bytes) }
        let listener: Int32
        switch options.panel {
        case let .tcp(address):
            guard address.isLoopback else {
                throw SocketError("listen on", address.description, reason: "the panel listens only on a loopback address (127.x.x.x)")
            }
            (listener, panelPort) = try LineSocket.listen(on: address)
        case let .unix(path):
            listener = try LineSocket.listen(unixPath: path)
        }
        panelServer = LineServer(
            name: "seal-panel", listener: listener, maximumLineLength: 256,
            tooLong: { _ in #"{"error":"line too long"}"# },
            handler: { [weak self] line in self?.answer(panel: line) ?? #"{"error":"the seal is shutting down"}"# }
        )
        timer.schedule(deadline: .now() + .milliseconds(10), repeating: .milliseconds(10))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
    }

    /// UMOCKDEV_DIR for processes that should see the seal.
    public var umockdevDirectory: String { device.rootDirectory }

    /// The line `seal serve` prints when ready.
    public var readyLine: String {
        let panel: Any = {
            if case .unix(let path) = options.panel { return path }
            return panelPort
        }()
        return Self.json([
            "panel": panel, "umockdev_dir": umockdevDirectory, "devnode": options.usb.deviceNode,
            "vid": String(options.usb.vendorID, radix: 16), "pid": String(options.usb.productID, radix: 16),
            "serial": options.identity.serial.value,
        ])
    }

    public func stop() {
        timer.cancel()
        panelServer.stop()
        lock.withLock { saveIfDirty() }
    }

    // MARK: Inputs

    public func now() -> SealInstant {
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        return SealInstant(
            wall: Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)),
            uptimeMilliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000
        )
    }

    private func fromUSB(_ bytes: [UInt8]?) {
        let frames: [SealFrame] = lock.withLock {
            guard let bytes else {
                firmware.usbReset()
                return []
            }
            let frames = firmware.receive(bytes, at: now())
            saveIfDirty()
            return frames
        }
        for frame in frames { device.send(frame.encode()) }
        lock.withLock { if firmware.rebootRequested { rebootLocked() } }
    }

    private func tick() {
        let frames = lock.withLock {
            // A trial image not confirmed in time: back to the working image.
            if let bank = firmware.firmwareBank, bank.trialExpired() { rebootLocked() }
            return firmware.tick(at: now())
        }
        for frame in frames { device.send(frame.encode()) }
    }

    /// The seal restarts on the image its firmware bank now runs (lock held): locked, with its
    /// memory kept. The USB device stays plugged, as a seal whose controller restarts behind
    /// its USB bridge would.
    private func rebootLocked() {
        saveIfDirty()
        guard let bank = firmware.firmwareBank else { return }
        do {
            try bank.reboot()
        } catch {
            FileHandle.standardError.write(Data("firmware-sim: warning: firmware reboot: \(error)\n".utf8))
        }
        firmware = SealFirmware(identity: options.identity, memory: firmware.memory, firmwareBank: bank)
    }

    /// The running firmware version and the bank's status, for the panel.
    public var firmwareStatus: FirmwareSlotStatus? { lock.withLock { firmware.firmwareBank?.status() } }

    public func press() -> SealFirmware.PressOutcome {
        let (outcome, frames) = lock.withLock {
            let result = firmware.press(at: now())
            saveIfDirty()
            return result
        }
        for frame in frames { device.send(frame.encode()) }
        return outcome
    }

    /// Plug and unplug touch umockdev outside the firmware lock: its worker thread may be
    /// waiting for that lock with a transfer in hand.
    public func unplug() {
        device.unplug()
        lock.withLock { firmware.usbReset() }
    }

    public func plug() throws {
        lock.withLock { firmware.usbReset() }
        try device.plug()
    }

    public func setSeated(_ seated: Bool) { lock.withLock { firmware.setSeated(seated) } }

    public var status: [String: Any] {
        lock.withLock {
            let status = firmware.status
            var fields: [String: Any] = [
                "locked": !status.isUnlocked, "total_stamps": Int(status.totalStamps),
                "watchdog_ms": Int(status.watchdogMilliseconds), "seated": status.seated,
                "plugged": device.isPlugged, "last_lock": firmware.lastLockCause.rawValue,
                "pending_reports": firmware.pendingReportCount, "refused_presses": Int(firmware.memory.refusedPresses),
                "usb": ["out_transfers": Int(device.counters.out_transfers), "in_transfers": Int(device.counters.in_transfers),
                        "discarded": Int(device.counters.discarded)],
            ]
            if let grantID = status.grantID {
                fields["grant_id"] = grantID.description
                fields["uses_remaining"] = Int(status.usesRemaining)
            }
            if let saveFailure { fields["save_error"] = saveFailure.description }
            fields["firmware"] = firmware.runningVersion.description
            if let bank = firmware.firmwareBank {
                let running = bank.current
                let slots = bank.status()
                fields["firmware_slot"] = running.slot.description
                fields["firmware_state"] = slots.state.description
                fields["firmware_result"] = slots.result.description
                if let name = running.settings.name { fields["firmware_name"] = name }
                if !running.settings.features.isEmpty { fields["firmware_features"] = running.settings.features }
            }
            return fields
        }
    }

    // MARK: Panel

    /// One panel command per line: `stamp`, `status`, `unplug`, `plug`, `unseat`, `seat`.
    /// Answers one JSON object per line; a refusal or a bad command is `{"error": ...}`.
    func answer(panel line: String) -> String {
        switch line.trimmingCharacters(in: .whitespaces) {
        case "stamp":
            switch press() {
            case let .stamped(report):
                return Self.json(["stamped": true, "stamp_number": Int(report.stampNumber),
                                  "uses_remaining": Int(report.usesRemaining), "grant_id": report.grantID.description])
            case let .refused(reason):
                return Self.json(["stamped": false, "error": reason])
            }
        case "status":
            return Self.json(status)
        case "unplug":
            unplug()
            return Self.json(["plugged": false])
        case "plug":
            do { try plug() } catch { return Self.json(["error": "\(error)"]) }
            return Self.json(["plugged": true])
        case "unseat":
            setSeated(false)
            return Self.json(["seated": false])
        case "seat":
            setSeated(true)
            return Self.json(["seated": true])
        case let other:
            return Self.json(["error": "unknown command \"\(other.prefix(40))\": use stamp, status, unplug, plug, unseat or seat"])
        }
    }

    /// Lock held.
    private func saveIfDirty() {
        guard firmware.memoryDirty else { return }
        do {
            try store.save(firmware.memory)
            firmware.memorySaved()
            saveFailure = nil
        } catch {
            saveFailure = error
        }
    }

    static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
