import FirmwareSlots
import Protocol

/// The seal's firmware as a pure state machine (docs/seal-usb.md, docs/seal-simulator.md):
/// bytes from the bulk OUT endpoint, presses of the seal and the passing of time go in; frames
/// for the bulk IN endpoint come out. No I/O and no clock of its own, so every rule is tested
/// directly.
///
/// - Power-on (`init`): locked, with the counters of `memory`.
/// - Opens only for an `unlock` that echoes the nonce of the latest device info (spent by any
///   unlock), carries a grant signed by a trusted server key for this seal and this box, valid
///   now, and never used before (remembered in `memory`).
/// - Locks when the last allowed use is made, on a `lock` frame, when the watchdog runs out,
///   on a USB reset, on a framing error, and when it leaves its monitored position.
public struct SealFirmware {
    /// An open session.
    public struct Session: Hashable, Sendable {
        public let grantID: GrantID
        public internal(set) var usesRemaining: UInt16
        /// Uptime at which the watchdog locks the seal.
        public internal(set) var watchdogDeadline: Int64
    }

    /// What a press of the seal did.
    public enum PressOutcome: Hashable, Sendable {
        case stamped(SealStampReport)
        case refused(reason: String)
    }

    /// Why the seal last locked, for its status and logs.
    public enum LockCause: String, Hashable, Sendable {
        case powerOn = "power on"
        case lastUse = "last use"
        case lockCommand = "lock command"
        case watchdog
        case usbReset = "usb reset"
        case framingError = "framing error"
        case unseated
    }

    /// A stamp report not yet acked by the agent.
    struct PendingReport: Hashable, Sendable {
        let frame: SealFrame
        var lastSent: Int64
    }

    public static let reportResendMilliseconds: Int64 = 500
    public static let maximumPendingReports = 16

    public let identity: SealIdentity
    /// The A/B firmware slots (docs/firmware.md); nil for a seal provisioned without vendor
    /// keys, which refuses firmware frames.
    public let firmwareBank: FirmwareBank?
    /// Set when an install asks for a reboot into the new image; the host reboots the seal
    /// after sending the answer.
    public private(set) var rebootRequested = false
    public private(set) var memory: SealMemory
    public private(set) var session: Session?
    public private(set) var lastLockCause: LockCause = .powerOn
    public private(set) var watchdogMilliseconds: UInt16 = SealHeartbeat.defaultWatchdog
    public private(set) var seated = true
    /// True after a framing error: input is discarded until a USB reset.
    public private(set) var discardingInput = false
    /// True whenever `memory` changed since the caller last called `memorySaved()`.
    public private(set) var memoryDirty = false

    private var nonce: SealNonce?
    private var decoder = SealFrameDecoder()
    /// The last command answered (type and sequence) and the answer, for retries.
    private var lastCommand: (type: SealFrameType, sequence: UInt16, answer: SealFrame)?
    private var pendingReports: [PendingReport] = []
    private var reportSequence: UInt16 = 0
    private var random: any RandomNumberGenerator

    public init(identity: SealIdentity, memory: SealMemory, firmwareBank: FirmwareBank? = nil, random: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.identity = identity
        self.firmwareBank = firmwareBank
        self.memory = memory
        self.random = random
    }

    public var isUnlocked: Bool { session != nil }

    /// The version this seal runs: the firmware bank's, else the provisioned one.
    public var runningVersion: FirmwareVersion { firmwareBank?.current.version ?? identity.firmware }

    /// The status the seal would answer now.
    public var status: SealStatus {
        let lock: SealLockState = session.map { .unlocked(grantID: $0.grantID, usesRemaining: $0.usesRemaining) } ?? .locked
        // The parts are valid by construction: an open session has at least one use left and
        // the watchdog period only takes values a heartbeat could carry.
        return try! SealStatus(lock: lock, totalStamps: memory.totalStamps, watchdogMilliseconds: watchdogMilliseconds, seated: seated)
    }

    public var pendingReportCount: Int { pendingReports.count }

    public mutating func memorySaved() { memoryDirty = false }

    // MARK: Inputs

    /// One bulk OUT transfer: returns the frames to send on bulk IN, in order.
    public mutating func receive(_ bytes: [UInt8], at now: SealInstant) -> [SealFrame] {
        var answers = expire(at: now)
        guard !discardingInput else { return answers }
        decoder.append(bytes)
        while true {
            let frame: SealFrame?
            do {
                frame = try decoder.next()
            } catch {
                if error.isFraming {
                    discardingInput = true
                    lock(.framingError)
                    answers.append(errorFrame(error.errorCode, sequence: 0, error.description))
                    return answers
                }
                answers.append(errorFrame(error.errorCode, sequence: contentErrorSequence(error), error.description))
                continue
            }
            guard let frame else { return answers }
            if let answer = handle(frame, at: now) { answers.append(answer) }
        }
    }

    /// The seal pressed onto a document: stamps only while unlocked.
    public mutating func press(at now: SealInstant) -> (outcome: PressOutcome, frames: [SealFrame]) {
        var frames = expire(at: now)
        guard seated, var open = session else {
            memory.refusedPresses &+= 1
            memoryDirty = true
            return (.refused(reason: "the seal is locked (\(lastLockCause.rawValue))"), frames)
        }
        memory.totalStamps &+= 1
        memoryDirty = true
        open.usesRemaining -= 1
        // The report is valid by construction: stamp numbers start at 1 after the increment.
        let report = try! SealStampReport(stampNumber: memory.totalStamps, usesRemaining: open.usesRemaining, grantID: open.grantID)
        if open.usesRemaining == 0 {
            session = nil
            lastLockCause = .lastUse
        } else {
            session = open
        }
        reportSequence = reportSequence == UInt16.max ? 1 : reportSequence + 1
        let frame = SealFrame(sequence: reportSequence, message: .stampReport(report))
        if pendingReports.count == Self.maximumPendingReports { pendingReports.removeFirst() }
        pendingReports.append(PendingReport(frame: frame, lastSent: now.uptimeMilliseconds))
        frames.append(frame)
        return (.stamped(report), frames)
    }

    /// Time passing: the watchdog, and unacked stamp reports sent again every 500 ms.
    public mutating func tick(at now: SealInstant) -> [SealFrame] {
        var frames = expire(at: now)
        for index in pendingReports.indices
        where now.uptimeMilliseconds - pendingReports[index].lastSent >= Self.reportResendMilliseconds {
            pendingReports[index].lastSent = now.uptimeMilliseconds
            frames.append(pendingReports[index].frame)
        }
        return frames
    }

    /// USBDEVFS_RESET, or the seal unplugged and plugged in again: locked, a clean stream.
    public mutating func usbReset() {
        lock(.usbReset)
        decoder.reset()
        discardingInput = false
        lastCommand = nil
        nonce = nil
    }

    /// The seal taken out of (or put back into) its monitored position; out locks at once.
    public mutating func setSeated(_ value: Bool) {
        seated = value
        if !value { lock(.unseated) }
    }

    // MARK: Commands

    private mutating func handle(_ frame: SealFrame, at now: SealInstant) -> SealFrame? {
        switch frame.message {
        case .ack:
            pendingReports.removeAll { $0.frame.sequence == frame.sequence }
            return nil
        case .error:
            return nil
        default:
            break
        }
        guard frame.type.direction == .toSeal else {
            return errorFrame(.unknownCommand, sequence: frame.sequence, "a \(frame.type) frame is not a command")
        }
        if let last = lastCommand, last.type == frame.type, last.sequence == frame.sequence {
            return last.answer
        }
        let answer = execute(frame, at: now)
        lastCommand = (frame.type, frame.sequence, answer)
        return answer
    }

    private mutating func execute(_ frame: SealFrame, at now: SealInstant) -> SealFrame {
        let sequence = frame.sequence
        switch frame.message {
        case .deviceInfoRequest:
            let fresh = SealNonce.random(using: &random)
            nonce = fresh
            let info = SealDeviceInfo(model: identity.model, serial: identity.serial, firmware: runningVersion,
                                      nonce: fresh, usesCounter: memory.totalStamps)
            return SealFrame(sequence: sequence, message: .deviceInfo(info))
        case let .unlock(unlock):
            return self.unlock(unlock, sequence: sequence, at: now)
        case .lock:
            lock(.lockCommand)
            return SealFrame(sequence: sequence, message: .ack)
        case let .heartbeat(heartbeat):
            guard var open = session else {
                return errorFrame(.locked, sequence: sequence, "the seal is locked (\(lastLockCause.rawValue))")
            }
            watchdogMilliseconds = heartbeat.watchdogMilliseconds
            open.watchdogDeadline = now.uptimeMilliseconds + Int64(heartbeat.watchdogMilliseconds)
            session = open
            return SealFrame(sequence: sequence, message: .ack)
        case .statusRequest:
            return SealFrame(sequence: sequence, message: .status(status))
        case .firmwareChunk, .firmwareBegin, .firmwareInstall, .firmwareConfirm, .firmwareStatusRequest:
            return firmwareCommand(frame.message, sequence: sequence)
        case .ack, .error, .deviceInfo, .unlocked, .status, .firmwareChunkReceived, .firmwareStatus, .stampReport:
            return errorFrame(.unknownCommand, sequence: sequence, "a \(frame.type) frame is not a command")
        }
    }

    /// Firmware frames (docs/seal-usb.md, "Firmware"): handed to the firmware bank.
    private mutating func firmwareCommand(_ message: SealMessage, sequence: UInt16) -> SealFrame {
        guard let bank = firmwareBank else {
            return errorFrame(.firmwareRejected, sequence: sequence, "this seal has no firmware boot state (no vendor key)")
        }
        switch message {
        case let .firmwareBegin(begin):
            return SealFrame(sequence: sequence, message: .firmwareStatus(bank.begin(imageID: begin.imageID, size: begin.imageSize, sessionActive: session != nil)))
        case let .firmwareChunk(chunk):
            if session != nil { return errorFrame(.busy, sequence: sequence, "a session is open") }
            guard let offset = UInt32(exactly: chunk.offset) else {
                return errorFrame(.firmwareRejected, sequence: sequence, "offset \(chunk.offset) is beyond any image")
            }
            let status = bank.write(imageID: chunk.imageID, offset: offset, data: chunk.data)
            guard status.result == .none else {
                return errorFrame(.firmwareRejected, sequence: sequence, "\(status.result); bytes received \(status.bytesReceived)")
            }
            return SealFrame(sequence: sequence, message: .firmwareChunkReceived(SealFirmwareChunkReceived(imageID: chunk.imageID, bytesReceived: UInt64(status.bytesReceived))))
        case let .firmwareInstall(install):
            switch bank.install(imageID: install.imageID, sessionActive: session != nil) {
            case let .reboot(status):
                rebootRequested = true
                return SealFrame(sequence: sequence, message: .firmwareStatus(status))
            case let .refused(status):
                return SealFrame(sequence: sequence, message: .firmwareStatus(status))
            }
        case .firmwareConfirm:
            return SealFrame(sequence: sequence, message: .firmwareStatus(bank.confirm()))
        default:
            return SealFrame(sequence: sequence, message: .firmwareStatus(bank.status()))
        }
    }

    /// The checks of docs/seal-usb.md "unlock", in that order; the nonce is spent whatever
    /// the outcome.
    private mutating func unlock(_ unlock: SealUnlock, sequence: UInt16, at now: SealInstant) -> SealFrame {
        let current = nonce
        nonce = nil
        if session != nil { return errorFrame(.busy, sequence: sequence, "a session is open") }
        if !seated { return errorFrame(.notSeated, sequence: sequence, "the seal is not in its monitored position") }
        guard let current, current == unlock.nonce else {
            return errorFrame(.replayed, sequence: sequence, current == nil ? "no nonce issued: ask for device info first" : "nonce is not current")
        }
        memory.prune(at: now.wall)
        let verdict = identity.verifier.verify(
            grantToken: unlock.grantToken, at: now.wall, resource: identity.serial,
            usedGrantIDs: Set<GrantID>(), revocations: RevocationState()
        )
        let claims: GrantClaims
        switch verdict {
        case let .accepted(accepted): claims = accepted
        case let .refused(refusal): return errorFrame(.notAuthorised, sequence: sequence, "\(refusal)")
        }
        guard claims.resourceType == .seal else {
            return errorFrame(.notAuthorised, sequence: sequence, "the grant is for a \(claims.resourceType), not a seal")
        }
        if memory.contains(claims.grantID) {
            return errorFrame(.replayed, sequence: sequence, "grant \(claims.grantID) already opened a session")
        }
        let allowed = min(UInt32(unlock.uses), claims.allowance.sealUses)
        guard allowed > 0, let uses = UInt16(exactly: allowed) else {
            return errorFrame(.exhausted, sequence: sequence, "the grant allows no further uses")
        }
        memory.usedGrants[claims.grantID] = identity.verifier.usedIDRetention(for: claims)
        memoryDirty = true
        session = Session(grantID: claims.grantID, usesRemaining: uses,
                          watchdogDeadline: now.uptimeMilliseconds + Int64(watchdogMilliseconds))
        // Valid by construction: `uses` is at least 1.
        return SealFrame(sequence: sequence, message: .unlocked(try! SealUnlocked(usesAllowed: uses, grantID: claims.grantID)))
    }

    // MARK: Helpers

    /// Locks when the watchdog has run out. Frames: none today (a lock is silent; the agent
    /// learns of it from its next heartbeat).
    private mutating func expire(at now: SealInstant) -> [SealFrame] {
        if let open = session, now.uptimeMilliseconds >= open.watchdogDeadline { lock(.watchdog) }
        return []
    }

    private mutating func lock(_ cause: LockCause) {
        if session != nil || cause == .usbReset || cause == .framingError || cause == .unseated { lastLockCause = cause }
        session = nil
    }

    private func errorFrame(_ code: SealErrorCode, sequence: UInt16, _ text: String) -> SealFrame {
        SealFrame(sequence: sequence, message: .error(SealErrorReport(truncating: code, text)))
    }

    private func contentErrorSequence(_ error: SealDecodeError) -> UInt16 {
        switch error {
        case let .unknownFrameType(_, sequence), let .payload(_, sequence, _), let .trailingPayloadBytes(_, sequence, _): return sequence
        case .badMagic, .frameTooLong, .badCRC: return 0
        }
    }
}

extension SealErrorReport {
    /// An error report whose text is cut to the 255 bytes the frame carries (at a character
    /// boundary), so building one cannot fail.
    init(truncating code: SealErrorCode, _ text: String) {
        var cut = Substring(text)
        while cut.utf8.count > Self.maximumTextSize { cut = cut.dropLast() }
        // Text a report refuses (control characters, say) is dropped rather than failing.
        self = (try? SealErrorReport(code: code, text: String(cut))) ?? (try! SealErrorReport(code: code, text: ""))
    }
}
