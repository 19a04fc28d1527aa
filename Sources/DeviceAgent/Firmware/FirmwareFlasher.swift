import Foundation
import Protocol

/// Which device on this box an image goes to.
public enum FirmwareTarget: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case copier
    case seal

    /// The image model a target takes.
    public var model: ResourceType {
        switch self {
        case .copier: return .copier
        case .seal: return .seal
        }
    }

    public var description: String { rawValue }
}

/// Where a flash stands, reported as it goes (for a terminal or the uplink's `firmwareStatus`).
public enum FlashProgress: Hashable, Sendable, CustomStringConvertible {
    /// `sent` of `total` image bytes are on the device (a resumed transfer starts above 0).
    case transferring(sent: Int, total: Int)
    /// The device has the whole image and is checking and installing it.
    case verifying
    /// The device booted the new image on trial; the agent is checking it before confirming.
    case trial(FirmwareVersion)

    public var description: String {
        switch self {
        case let .transferring(sent, total): return "transferring \(sent)/\(total) bytes"
        case .verifying: return "verifying"
        case let .trial(version): return "running \(version) on trial"
        }
    }
}

/// How a flash ended when the device answered.
public enum FlashOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The device runs `version` and has confirmed it as its working image.
    case confirmed(FirmwareVersion)
    /// The device booted the image on trial but went back to `running`.
    case rolledBack(running: FirmwareVersion, reason: String)
    /// The device (or the agent, for bytes that are not an image at all) refused the image; the
    /// device still runs what it ran before.
    case refused(FirmwareRefusal)

    public var description: String {
        switch self {
        case let .confirmed(version): return "confirmed: the device runs \(version)"
        case let .rolledBack(running, reason): return "rolled back to \(running): \(reason)"
        case let .refused(refusal): return "refused: \(refusal)"
        }
    }
}

/// Why a flash could not be carried out (the device's own refusals are `FlashOutcome.refused`).
public enum FlashError: Error, Hashable, Sendable, CustomStringConvertible {
    /// This agent has no link to that device.
    case noSuchDevice(FirmwareTarget)
    /// A session is unlocked on the device; flashing waits until it has ended.
    case sessionActive
    /// The link failed (after retries); the device keeps its running image, and a retry resumes.
    case link(String)
    /// The device answered something the protocol does not allow, or did not come back.
    case protocolViolation(String)
    /// The flash's task was cancelled; the device keeps what it had, and a retry resumes.
    case cancelled
    /// Another flash to the same device is running (a rollout's and a technician's at once).
    case busy(FirmwareTarget)

    public var description: String {
        switch self {
        case let .noSuchDevice(target): return "this agent has no \(target) to flash"
        case .sessionActive: return "a session is unlocked on the device; try again when it has ended"
        case let .link(detail): return "link to the device failed: \(detail)"
        case let .protocolViolation(detail): return "the device answered out of protocol: \(detail)"
        case .cancelled: return "the flash was cancelled"
        case let .busy(target): return "another flash to the \(target) is running; try again when it has ended"
        }
    }
}

/// Sends a firmware image to the copier controller (Modbus block-transfer window) or the seal
/// (USB firmware frames), has the device check it and boot it on trial, checks that it came
/// back running the new version, and confirms it (docs/firmware.md, "Flashing").
///
/// Retry-safe: the image id is derived from the image, so flashing the same image again after
/// the agent, the link or the device died resumes the transfer where the device's bytes end,
/// or confirms an image the device already runs on trial.
public final class FirmwareFlasher: Sendable {
    /// Link failures in a row after which a flash gives up: each retry waits a little longer,
    /// up to 2 s, so about half a minute without an answer (the device keeps what it has, and
    /// flashing again resumes).
    public static let linkRetries = 16

    private let copier: CopierLink?
    private let seal: (@Sendable () async -> SealChannel?)?
    /// How long to wait for a device to come back after installing.
    private let rebootTimeout: Duration
    /// The devices a flash is running on now. Both a rollout (`FirmwareUpdates`) and a
    /// technician (`FirmwareJobs`) flash through this one flasher; two transfers to one device
    /// would interleave their writes to the same spare slot.
    private let flashing = Locked<Set<FirmwareTarget>>([])

    /// A flasher for a copier link and a seal channel of its own (tools, tests, benchmarks).
    public convenience init(copier: CopierLink? = nil, seal: SealChannel? = nil, rebootTimeout: Duration = .seconds(20)) {
        var provider: (@Sendable () async -> SealChannel?)?
        if let seal { provider = { @Sendable in seal } }
        self.init(copier: copier, sealChannel: provider, rebootTimeout: rebootTimeout)
    }

    /// A flasher that asks for the seal's channel at each step, as the running agent's seal
    /// loop reopens it when the seal is replugged.
    public init(copier: CopierLink?, sealChannel: (@Sendable () async -> SealChannel?)?, rebootTimeout: Duration = .seconds(20)) {
        self.copier = copier
        self.seal = sealChannel
        self.rebootTimeout = rebootTimeout
    }

    /// The transfer's id: the first 4 bytes of the image's SHA-256, so a retry names the same transfer.
    public static func imageID(of image: [UInt8]) -> UInt32 {
        Hash32.sha256(image).bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public func flash(
        image: [UInt8], to device: FirmwareTarget, progress: @escaping @Sendable (FlashProgress) -> Void
    ) async throws(FlashError) -> FlashOutcome {
        let transport: any FirmwareTransport
        switch device {
        case .copier:
            guard let copier else { throw .noSuchDevice(.copier) }
            transport = CopierFirmwareTransport(link: copier)
        case .seal:
            guard let seal else { throw .noSuchDevice(.seal) }
            transport = SealFirmwareTransport(channel: seal)
        }
        guard flashing.withLock({ $0.insert(device).inserted }) else { throw .busy(device) }
        defer { _ = flashing.withLock { $0.remove(device) } }
        let manifest: FirmwareManifest
        do {
            manifest = try FirmwareImage.decode(image).manifest
        } catch {
            return .refused(.malformed(error))
        }
        let run = FlashRun(transport: transport, image: image, manifest: manifest, rebootTimeout: rebootTimeout, progress: progress)
        return try await run.perform()
    }
}

/// One flash, step by step (see `FirmwareFlasher`).
private struct FlashRun {
    let transport: any FirmwareTransport
    let image: [UInt8]
    let manifest: FirmwareManifest
    let rebootTimeout: Duration
    let progress: @Sendable (FlashProgress) -> Void
    var imageID: UInt32 { FirmwareFlasher.imageID(of: image) }

    func perform() async throws(FlashError) -> FlashOutcome {
        let before = try await retrying { () throws(FlashError) in try await transport.status() }
        // A retry after the image was installed: only the check and the confirm are left.
        if before.state == .trial && before.runningVersion == manifest.version {
            return try await checkAndConfirm()
        }
        if before.state == .confirmed && before.runningVersion == manifest.version {
            return .confirmed(manifest.version)
        }
        try await transfer()
        progress(.verifying)
        do {
            // A refusal that is not about the image (a session opened meanwhile) is only in
            // this answer: the device keeps no record of it.
            if let answer = try await transport.install(imageID: imageID), answer.state != .trial, answer.state != .refused {
                try check(answer)
            }
        } catch {
            // The device reboots into the image and drops the link; the status says how it went.
            guard case .link = error else { throw error }
        }
        return try await afterInstall()
    }

    /// Begins (or resumes) the transfer and sends every byte the device does not have yet.
    private func transfer() async throws(FlashError) {
        let total = image.count
        var status = try await retrying { () throws(FlashError) in try await transport.begin(imageID: imageID, size: UInt32(total)) }
        try check(status)
        var failures = 0
        while Int(status.bytesReceived) < total {
            if Task.isCancelled { throw .cancelled }
            var offset = Int(status.bytesReceived)
            progress(.transferring(sent: offset, total: total))
            var chunks: [(offset: UInt32, data: [UInt8])] = []
            while chunks.count < transport.chunksPerStatus && offset < total {
                let end = min(total, offset + transport.chunkSize)
                chunks.append((UInt32(offset), Array(image[offset..<end])))
                offset = end
            }
            do {
                try await transport.send(imageID: imageID, chunks: chunks)
                status = try await transport.status()
                failures = 0
            } catch {
                failures += 1
                guard failures <= FirmwareFlasher.linkRetries else { throw error }
                try await pause(failures)
                // Ask again: the device says how far it got (it may have restarted, too).
                status = try await retrying { () throws(FlashError) in try await transport.begin(imageID: imageID, size: UInt32(total)) }
            }
            try check(status)
            if status.imageID != imageID || status.state != .receiving {
                status = try await retrying { () throws(FlashError) in try await transport.begin(imageID: imageID, size: UInt32(total)) }
                try check(status)
            }
        }
        progress(.transferring(sent: total, total: total))
    }

    /// Waits for the device to come back from the install and acts on what it says.
    private func afterInstall() async throws(FlashError) -> FlashOutcome {
        let deadline = ContinuousClock.now + rebootTimeout
        var lastError = FlashError.protocolViolation("the device did not come back after installing")
        while ContinuousClock.now < deadline {
            if Task.isCancelled { throw .cancelled }
            do throws(FlashError) {
                let status = try await transport.status()
                switch status.state {
                case .trial where status.runningVersion == manifest.version:
                    return try await checkAndConfirm()
                case .refused:
                    if status.result == .sessionActive { throw FlashError.sessionActive }
                    guard let refusal = status.refusal(for: image, deviceModel: transport.target.model) else {
                        throw FlashError.protocolViolation("install refused: \(status.result)")
                    }
                    return .refused(refusal)
                case .rolledBack:
                    return .rolledBack(running: status.runningVersion, reason: status.result.description)
                case .confirmed where status.runningVersion == manifest.version:
                    return .confirmed(manifest.version)
                default:
                    if status.result != .none {
                        if status.result == .sessionActive { throw FlashError.sessionActive }
                        throw FlashError.protocolViolation("install failed: \(status.result)")
                    }
                }
            } catch {
                guard case .link = error else { throw error }
                lastError = error
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw lastError
    }

    /// The new image runs on trial: check the device works on it, then confirm.
    private func checkAndConfirm() async throws(FlashError) -> FlashOutcome {
        progress(.trial(manifest.version))
        let running = try await retrying { () throws(FlashError) in try await transport.healthCheck() }
        guard running == manifest.version else {
            throw .protocolViolation("the device reports version \(running) on trial, expected \(manifest.version)")
        }
        let status = try await retrying { () throws(FlashError) in try await transport.confirm() }
        switch status.state {
        case .confirmed where status.runningVersion == manifest.version:
            return .confirmed(manifest.version)
        case .rolledBack:
            return .rolledBack(running: status.runningVersion, reason: status.result.description)
        default:
            throw .protocolViolation("confirm answered \(status.state) (\(status.result)), running \(status.runningVersion)")
        }
    }

    /// A status that says the device will not take the transfer.
    private func check(_ status: FirmwareSlotStatus) throws(FlashError) {
        switch status.result {
        case .none, .unexpectedOffset: return
        case .sessionActive: throw .sessionActive
        default: throw .protocolViolation("the device refused the transfer: \(status.result)")
        }
    }

    /// Calls `body` until it succeeds or fails `linkRetries` times in a row.
    private func retrying<T>(_ body: () async throws(FlashError) -> T) async throws(FlashError) -> T {
        var failures = 0
        while true {
            do {
                return try await body()
            } catch {
                failures += 1
                guard failures <= FirmwareFlasher.linkRetries, case .link = error, !Task.isCancelled else { throw error }
                try await pause(failures)
            }
        }
    }

    private func pause(_ failures: Int) async throws(FlashError) {
        do {
            try await Task.sleep(for: .milliseconds(min(2000, 100 * (1 << min(failures, 5)))))
        } catch {
            throw .cancelled
        }
    }
}
