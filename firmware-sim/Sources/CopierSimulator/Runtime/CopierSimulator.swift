import FirmwareSlots
import Foundation
import ModbusIO
import Protocol

/// How to start the simulated controller.
public struct CopierSimulatorOptions: Hashable, Sendable {
    /// Where the controller's memory is kept.
    public var stateDirectory: String
    /// Where scans go; nil for `<stateDirectory>/scans`.
    public var scanFolder: String?
    /// The output tray, where printed pages go; nil for `<stateDirectory>/tray`.
    public var trayFolder: String?
    /// The model to be; nil for what the memory says (a colour copier when there is none).
    public var model: CopierModel?
    public var pageRate: CopierPageRate
    /// Forget the stored memory and start as a new controller.
    public var resetState: Bool
    /// A hardware fault the controller finds at power-on (state 3 from the start), or `.none`.
    public var faultAtStart: CopierFault
    /// Vendor public keys for the firmware boot state (`<stateDirectory>/firmware`), needed
    /// when it is created; without them and without a boot state, firmware cannot be flashed.
    public var vendorKeys: [PublicKey]
    /// How long a flashed image runs on trial before it rolls back unless confirmed.
    public var trial: FirmwareBank.Configuration

    public init(
        stateDirectory: String, scanFolder: String? = nil, trayFolder: String? = nil, model: CopierModel? = nil, pageRate: CopierPageRate = .standard,
        resetState: Bool = false, faultAtStart: CopierFault = .none, vendorKeys: [PublicKey] = [], trial: FirmwareBank.Configuration = .init()
    ) {
        self.vendorKeys = vendorKeys
        self.trial = trial
        self.stateDirectory = stateDirectory
        self.scanFolder = scanFolder
        self.trayFolder = trayFolder
        self.model = model
        self.pageRate = pageRate
        self.resetState = resetState
        self.faultAtStart = faultAtStart
    }
}

public enum CopierSimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    case memory(CopierMemoryError)
    case firmware(FirmwareBankError)
    /// The memory belongs to another model: a copier cannot change what it is.
    case modelMismatch(path: String, stored: CopierModel, requested: CopierModel)

    public var description: String {
        switch self {
        case let .memory(error): return error.description
        case let .firmware(error): return error.description
        case let .modelMismatch(path, stored, requested):
            return "state file \(path) is a \(stored.name) (\(stored.producesColour ? "colour" : "mono")), not a \(requested.name); "
                + "start with --reset-state to make it a new \(requested.name)"
        }
    }
}

/// The running simulated controller: one `CopierController` under one lock, a ticker thread
/// that advances it every 10 ms, and the I/O its events call for (scans, memory, panel answers).
/// Modbus requests, panel commands and ticks all go through the same lock, so no two of them
/// ever see or change the registers half-way. The ticker holds the simulator: call `shutdown`.
public final class CopierSimulator: @unchecked Sendable {
    public static let tickInterval: Duration = .milliseconds(10)

    public let memoryStore: CopierMemoryStore
    public let scanWriter: CopierScanWriter
    public let trayWriter: CopierTrayWriter
    public let renderer = PDFRenderer()

    let lock = NSLock()
    var controller: CopierController  // under `lock`
    /// The A/B firmware slots; nil when the state has no firmware boot state and no vendor key
    /// was given (the firmware window then answers SERVER DEVICE FAILURE).
    let firmwareBank: FirmwareBank?
    /// Holding 1000-1127 as last written.
    var firmwareHolding = [UInt16](repeating: 0, count: CopierSimulator.firmwareHoldingCount)  // under `lock`
    /// The result of the last firmware command or chunk, when it failed.
    var firmwareResult = FirmwareResultCode.none  // under `lock`
    /// The page rate of the start options, for firmware whose payload sets none.
    let startPageRate: CopierPageRate
    private var modbusFault = ModbusFaultInjection.none  // under `lock`
    private var waiters: [UInt32: JobWaiter] = [:]  // under `lock`
    /// Print jobs' rendered originals, by sequence, until the job ends.
    private var renderings: [UInt32: PDFRendering] = [:]  // under `lock`
    private var poweringOff = false  // under `lock`
    private var tickerStopped = false  // under `lock`

    /// Held while events are taken and acted on, so they are handled once and in order.
    private let eventLock = NSLock()
    private var scansByJob: [UInt32: [String]] = [:]  // under `eventLock`
    private var lastSaveError: CopierMemoryError?  // under `eventLock`

    private let poweredOnAt = ContinuousClock.now
    private let tickerDone = DispatchSemaphore(value: 0)
    private var tickerRunning = false

    /// Loads (or creates) the memory, powers the controller on, saves the new boot count and
    /// starts the ticker.
    public init(options: CopierSimulatorOptions) throws(CopierSimulatorError) {
        memoryStore = CopierMemoryStore(directory: options.stateDirectory)
        scanWriter = CopierScanWriter(folder: options.scanFolder ?? options.stateDirectory + "/scans")
        trayWriter = CopierTrayWriter(folder: options.trayFolder ?? options.stateDirectory + "/tray")
        var memory: CopierMemory
        do {
            if options.resetState { try memoryStore.erase() }
            memory = try memoryStore.load() ?? .factoryNew(model: options.model ?? .simulatedColour)
        } catch {
            throw .memory(error)
        }
        if let requested = options.model, requested != memory.model {
            throw .modelMismatch(path: memoryStore.path, stored: memory.model, requested: requested)
        }
        startPageRate = options.pageRate
        let firmwareDirectory = options.stateDirectory + "/firmware"
        if options.resetState { try? FileManager.default.removeItem(atPath: firmwareDirectory) }
        var pageRate = options.pageRate
        if !options.vendorKeys.isEmpty || FileManager.default.fileExists(atPath: firmwareDirectory + "/boot.state") {
            let factory = memory.firmware
            do {
                let bank = try FirmwareBank(
                    directory: firmwareDirectory, model: .copier,
                    factoryVersion: FirmwareVersion(major: factory.major, minor: factory.minor, patch: factory.patch),
                    factorySettings: FirmwareSettings(), vendorKeys: options.vendorKeys, configuration: options.trial,
                    clock: { Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
                )
                memory = Self.memory(memory, running: bank.current)
                pageRate = bank.current.settings.pageRate.flatMap { CopierPageRate(pagesPerSecond: $0) } ?? pageRate
                firmwareBank = bank
            } catch {
                throw .firmware(error)
            }
        } else {
            firmwareBank = nil
        }
        controller = CopierController(poweringOnWith: memory, pageRate: pageRate)
        controller.injectFault(options.faultAtStart, now: .zero)
        memory = controller.memory
        do { try memoryStore.save(memory) } catch { throw .memory(error) }
        startTicker()
    }

    /// Time since power-on.
    public var now: Duration { ContinuousClock.now - poweredOnAt }

    /// The controller as it is now (a copy).
    public var controllerSnapshot: CopierController {
        lock.withLock {
            controller.tick(now: now)
            return controller
        }
    }

    /// The Modbus server's handler: the link fault, if one is injected, else the controller.
    /// The request brings the controller to now, which can end a job; what that brings about
    /// (its last scans, the saved memory) is done before the answer goes out, so a client that
    /// sees `latest_job` move finds every scan of that job in the folder, as from a real
    /// scan-to-folder copier, whose scans exist before the page is printed.
    public func handleModbus(_ request: ModbusRequest) -> ModbusDecision {
        eventLock.withLock {
            let (decision, events, memory) = lock.withLock {
                let decision = modbusFault.apply { handleLocked(request) }
                return (decision, controller.takeEvents(), controller.memory)
            }
            handle(events, memory: memory)
            return decision
        }
    }

    /// One request, with the lock held: the controller's map and rules, and the firmware window.
    private func handleLocked(_ request: ModbusRequest) -> ModbusDecision {
        guard Self.touchesFirmware(request) else { return controller.handle(request, now: now) }
        guard firmwareBank != nil else { return .exception(ModbusException.serverDeviceFailure.rawValue) }
        let decision = controller.handle(request, now: now)
        guard case .answer = decision else { return decision }
        if applyFirmwareWrite(request) { return .drop }
        return .answer(withFirmwareRegisters(controller.registerImage))
    }

    /// Runs a job and returns when it has ended and its scans are written. A job the copier
    /// will not start because it is locked or in fault is answered at once (no sequence, no
    /// pages); any other refusal is thrown.
    /// With `rendering`, the job prints those pages: each impression files its original's
    /// rendered page in the tray instead of scanning a page.
    public func runJob(_ request: CopierJobRequest, rendering: PDFRendering? = nil) throws(CopierJobRefusal) -> CopierJobOutcome {
        let waiter = JobWaiter()
        let started: Result<UInt32, CopierJobRefusal> = lock.withLock {
            guard !poweringOff else { return .failure(.poweringOff) }
            do throws(CopierJobRefusal) {
                let sequence = try controller.startJob(request, now: now)
                waiters[sequence] = waiter
                if let rendering { renderings[sequence] = rendering }
                return .success(sequence)
            } catch {
                return .failure(error)
            }
        }
        switch started {
        case .success: break
        case .failure(.locked): return .notStarted(.lockedByAgent)
        case .failure(.fault): return .notStarted(.fault)
        case let .failure(refusal): throw refusal
        }
        waiter.done.wait()
        return waiter.outcome ?? .notStarted(.cancelled)
    }

    /// Cancels the running job at the panel; returns its sequence, nil when none runs.
    public func cancelJob() -> UInt32? {
        lock.withLock { controller.cancelJob(now: now)?.sequence }
    }

    public func setModbusFault(_ fault: ModbusFaultInjection) {
        lock.withLock { modbusFault = fault }
    }

    /// Raises a hardware fault, or clears it with `.none`.
    public func setCopierFault(_ fault: CopierFault) {
        lock.withLock { controller.injectFault(fault, now: now) }
    }

    public var statusJSON: JSONValue {
        lock.withLock {
            controller.tick(now: now)
            var status = PanelStatus.json(controller, modbusFault: modbusFault)
            if case var .object(object) = status, let firmwareBank {
                // What the running image's payload says, so a flash shows at the panel too.
                let running = firmwareBank.current
                object["firmware_slot"] = .string(running.slot.description)
                object["firmware_on_trial"] = .bool(running.onTrial)
                if let name = running.settings.name { object["firmware_name"] = .string(name) }
                object["firmware_features"] = .array(running.settings.features.map { .string($0) })
                status = .object(object)
            }
            return status
        }
    }

    /// Carries out one panel command and gives its answer (for `job`, when the job has ended).
    public func answer(_ command: PanelCommand) -> JSONValue {
        switch command {
        case let .job(request):
            do { return try runJob(request).json } catch { return PanelStatus.error(error.description) }
        case .status:
            return statusJSON
        case .cancel:
            guard let sequence = cancelJob() else { return PanelStatus.error("no job is running") }
            return .object(["cancelled": .count(sequence)])
        case let .modbusFault(fault):
            setModbusFault(fault)
            return statusJSON
        case let .copierFault(fault):
            setCopierFault(fault)
            return statusJSON
        }
    }

    /// Answers one panel line.
    public func answer(line: String) -> JSONValue {
        do {
            return answer(try PanelCommand.parse(line))
        } catch {
            return PanelStatus.error(error.description)
        }
    }

    /// The last failure to save the memory after a job, if any (it is also printed to stderr).
    public var saveError: CopierMemoryError? { eventLock.withLock { lastSaveError } }

    /// Brings the controller to now and acts on what happened; the ticker does this every 10 ms.
    public func settle() {
        eventLock.withLock {
            let (events, memory) = lock.withLock {
                controller.tick(now: now)
                // A trial image not confirmed in time: back to the working image, at once.
                if let firmwareBank, firmwareBank.trialExpired() { rebootLocked() }
                return (controller.takeEvents(), controller.memory)
            }
            handle(events, memory: memory)
        }
    }

    /// Powers off: takes no more jobs, stops the ticker, cancels a running job (its requester
    /// is answered "cancelled"), and saves the memory.
    public func shutdown() throws(CopierMemoryError) {
        lock.withLock { poweringOff = true }
        stopTicker()
        let memory = eventLock.withLock { () -> CopierMemory in
            let (events, memory) = lock.withLock { () -> ([CopierEvent], CopierMemory) in
                controller.cancelJob(now: now)
                return (controller.takeEvents(), controller.memory)
            }
            handle(events, memory: memory)
            let stranded = lock.withLock { () -> [JobWaiter] in
                defer { waiters.removeAll() }
                return Array(waiters.values)
            }
            for waiter in stranded { waiter.finish(.notStarted(.cancelled)) }
            return memory
        }
        try memoryStore.save(memory)
    }

    /// Writes scans, saves the memory after a job, answers the job's requester. Called with
    /// `eventLock` held.
    private func handle(_ events: [CopierEvent], memory: CopierMemory) {
        var saved = false
        for event in events {
            switch event {
            case let .pagePrinted(page):
                let rendering = lock.withLock { renderings[page.sequence] }
                if let rendering {
                    do {
                        let path = try trayWriter.write(page, renderedFrom: rendering.pages[Int(page.original) - 1])
                        scansByJob[page.sequence, default: []].append(path)
                    } catch {
                        Self.warn("printed page \(page.number) of job \(page.sequence) not put in the tray: \(error)")
                    }
                    continue
                }
                do {
                    let path = try scanWriter.write(page)
                    scansByJob[page.sequence, default: []].append(path)
                } catch {
                    Self.warn("scan of job \(page.sequence) page \(page.number) not written: \(error)")
                }
            case let .jobEnded(record):
                if !saved {
                    do {
                        try memoryStore.save(memory)
                        lastSaveError = nil
                    } catch {
                        lastSaveError = error
                        Self.warn("memory not saved after job \(record.sequence): \(error)")
                    }
                    saved = true
                }
                let outcome = CopierJobOutcome(
                    sequence: record.sequence, pagesPrinted: record.pages, end: record.end,
                    scans: scansByJob.removeValue(forKey: record.sequence) ?? []
                )
                let waiter = lock.withLock {
                    renderings.removeValue(forKey: record.sequence)
                    return waiters.removeValue(forKey: record.sequence)
                }
                waiter?.finish(outcome)
            }
        }
    }

    private func startTicker() {
        tickerRunning = true
        let thread = Thread { [self] in
            while !lock.withLock({ tickerStopped }) {
                settle()
                Thread.sleep(forTimeInterval: 0.01)
            }
            tickerDone.signal()
        }
        thread.name = "copier-ticker"
        thread.start()
    }

    private func stopTicker() {
        let wasRunning = lock.withLock {
            defer { tickerStopped = true }
            return !tickerStopped
        }
        if wasRunning && tickerRunning { tickerDone.wait() }
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("firmware-sim: warning: \(message)\n".utf8))
    }
}

/// A panel connection waiting for its job to end.
private final class JobWaiter: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private(set) var outcome: CopierJobOutcome?

    func finish(_ outcome: CopierJobOutcome) {
        self.outcome = outcome
        done.signal()
    }
}
