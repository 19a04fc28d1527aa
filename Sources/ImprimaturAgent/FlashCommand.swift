import ArgumentParser
import DeviceAgent
import Foundation
import Glibc

/// `imprimatur-agent flash`: asks the running agent to flash its copier or seal (it owns their
/// links), then follows the flash until it ends.
struct FlashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Flash a signed firmware image to the copier controller or the seal, through the running agent.",
        discussion: """
            Shows progress on a terminal and ends with the result. Exit status: 0 when the device \
            confirmed the new image; 1 when it refused the image, rolled it back or the flash \
            failed (the device keeps a working image; running the same command again resumes). \
            Format and rules: docs/firmware.md.
            """
    )

    enum Device: String, ExpressibleByArgument, CaseIterable { case copier, seal }

    @Option(help: "copier or seal.") var device: Device
    @Option(help: "The signed image file (firmware-sim image build / sign).") var image: String
    @OptionGroup var socket: SocketOption

    func run() throws {
        let path = URL(fileURLWithPath: image).standardizedFileURL.path
        guard FileManager.default.isReadableFile(atPath: path) else { throw ValidationError("--image: cannot read \(path)") }
        let started = try socket.send(LocalAPI.Request(op: "flash", device: device.rawValue, image: path))
        guard started.ok else { try printAnswer(started); return }
        let terminal = isatty(STDOUT_FILENO) == 1
        var lastLine = ""
        while true {
            Thread.sleep(forTimeInterval: 0.2)
            let answer = try socket.send(LocalAPI.Request(op: "flash-status", device: device.rawValue))
            guard answer.ok, let report = answer.flash else { try printAnswer(answer); return }
            let line = Self.progressLine(report)
            if line != lastLine {
                if terminal {
                    FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
                } else {
                    print(line)
                }
                lastLine = line
            }
            if !report.running {
                if terminal { print("") }
                print(Self.resultLine(report))
                if report.confirmed != true { throw ExitCode(1) }
                return
            }
        }
    }

    static func progressLine(_ report: FirmwareJobs.Report) -> String {
        guard report.total > 0 else { return "\(report.device): \(report.phase)" }
        let percent = report.sent * 100 / report.total
        return "\(report.device): \(report.phase) (\(percent)%)"
    }

    static func resultLine(_ report: FirmwareJobs.Report) -> String {
        if let error = report.error { return "flash failed: \(error)" }
        return report.outcome.map { "\(report.device) \($0)" } ?? "\(report.device): ended"
    }
}
