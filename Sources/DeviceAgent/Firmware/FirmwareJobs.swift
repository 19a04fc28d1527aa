import Foundation
import Protocol

/// The flashes the running agent carries out for `imprimatur-agent flash` (local API ops
/// `flash` and `flash-status`): at most one per device at a time, each in a task of its own,
/// with its progress kept for the client to poll (the local API answers one line per request).
public actor FirmwareJobs {
    /// Where one device's latest flash stands.
    public struct Report: Codable, Sendable, Equatable {
        public var device: String
        public var running: Bool
        public var phase: String
        public var sent: Int
        public var total: Int
        /// Set when the flash has ended.
        public var outcome: String?
        /// True when the device runs the new image, confirmed.
        public var confirmed: Bool?
        public var version: String?
        /// `FirmwareRefusal.code` when the device refused the image.
        public var refusal: String?
        public var error: String?
    }

    private let flasher: FirmwareFlasher
    private var reports: [FirmwareTarget: Report] = [:]

    public init(flasher: FirmwareFlasher) { self.flasher = flasher }

    /// Starts flashing the image file at `path` to `device`; refused while a flash to that
    /// device runs, or when the file cannot be read.
    public func start(device: FirmwareTarget, imagePath path: String) -> Result<Report, LocalAPIError> {
        if reports[device]?.running == true { return .failure(.badRequest("a flash to the \(device) is already running")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.badRequest("cannot read the image file \(path) (the agent reads it: give a path it can read)"))
        }
        let image = [UInt8](data)
        let report = Report(device: device.rawValue, running: true, phase: "starting", sent: 0, total: image.count)
        reports[device] = report
        let flasher = flasher
        Task {
            let outcome: Result<FlashOutcome, FlashError>
            do throws(FlashError) {
                outcome = .success(try await flasher.flash(image: image, to: device) { progress in
                    Task { await self.update(device, progress) }
                })
            } catch {
                outcome = .failure(error)
            }
            self.finish(device, outcome)
        }
        return .success(report)
    }

    public func report(_ device: FirmwareTarget) -> Report? { reports[device] }

    private func update(_ device: FirmwareTarget, _ progress: FlashProgress) {
        guard var report = reports[device], report.running else { return }
        report.phase = progress.description
        if case let .transferring(sent, total) = progress {
            report.sent = sent
            report.total = total
        }
        reports[device] = report
    }

    private func finish(_ device: FirmwareTarget, _ outcome: Result<FlashOutcome, FlashError>) {
        guard var report = reports[device] else { return }
        report.running = false
        switch outcome {
        case let .success(result):
            report.outcome = result.description
            report.phase = "done"
            switch result {
            case let .confirmed(version):
                report.confirmed = true
                report.version = version.description
                report.sent = report.total
            case let .rolledBack(running, _):
                report.confirmed = false
                report.version = running.description
            case let .refused(refusal):
                report.confirmed = false
                report.refusal = refusal.code
            }
        case let .failure(error):
            report.phase = "failed"
            report.error = error.description
        }
        reports[device] = report
    }
}
