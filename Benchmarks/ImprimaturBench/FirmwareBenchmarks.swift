import DeviceAgent
import Foundation
import Protocol
import Synchronization
import TestSupport

/// Issue 8's figures: flash throughput, image bytes per second from the first chunk to the last
/// one the device holds, over Modbus TCP to `firmware-sim copier serve` and over USB (umockdev)
/// to `firmware-sim seal serve`, and the whole flash (transfer, check, install, reboot, health
/// check, confirm).
enum FirmwareBenchmarks {
    static let vendor = SigningKey()

    /// A signed image with `payloadSize` bytes of payload.
    static func image(_ model: ResourceType, version: String, payloadSize: Int) throws -> [UInt8] {
        var text = "name=bench \(version)\n# "
        text += String(repeating: "z", count: max(0, payloadSize - text.utf8.count - 1)) + "\n"
        return try FirmwareImage(
            model: model, version: FirmwareVersion(parsing: version)!, minimumVersion: FirmwareVersion(major: 0, minor: 0, patch: 0),
            payload: Array(text.utf8), buildTime: Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        ).signed(by: vendor).wireBytes()
    }

    static var vendorArguments: [String] { ["--vendor-key", Hex.encode(vendor.publicKey.bytes)] }

    /// Flashes `image` and reports its throughput under `name`.
    static func measure(_ name: String, _ flasher: FirmwareFlasher, _ image: [UInt8], _ target: FirmwareTarget) async throws {
        let firstChunk = Mutex<ContinuousClock.Instant?>(nil)
        let lastChunk = Mutex<ContinuousClock.Instant?>(nil)
        let start = ContinuousClock.now
        let outcome = try await flasher.flash(image: image, to: target) { progress in
            switch progress {
            case .transferring: firstChunk.withLock { if $0 == nil { $0 = .now } }
            case .verifying: lastChunk.withLock { $0 = .now }
            case .trial: break
            }
        }
        let total = ContinuousClock.now - start
        guard case .confirmed = outcome, let first = firstChunk.withLock({ $0 }), let last = lastChunk.withLock({ $0 }) else {
            throw ProcessFailure(description: "\(name) flash ended with \(outcome)")
        }
        let kib = Double(image.count) / 1024
        report("\(name) flash throughput", Double(image.count) / (last - first).seconds / 1024, "KiB/s", note: String(format: "%.0f KiB image", kib))
        report("\(name) whole flash", total.seconds, "s", note: "transfer, check, install, reboot, health check, confirm")
    }

    /// Modbus TCP to the simulated copier controller on loopback.
    static func copier() async throws {
        print("== Firmware flashing")
        let directory = try TemporaryDirectory("bench-flash")
        let simulator = try ChildProcess(try BuildProducts.executable("firmware-sim"), [
            "copier", "serve", "--modbus", "127.0.0.1:0", "--panel", "127.0.0.1:0", "--state-dir", directory.appending("copier"),
        ] + vendorArguments)
        defer {
            simulator.send(SIGTERM)
            _ = try? simulator.waitForExit(timeout: .seconds(10))
        }
        let ready = try simulator.readLine(timeout: .seconds(30))
        guard let object = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any], let port = object["modbus"] as? Int else {
            throw ProcessFailure(description: "copier serve printed \(ready)")
        }
        let flasher = FirmwareFlasher(copier: CopierLink(endpoint: .tcp(host: "127.0.0.1", port: port)))
        try await measure("copier (Modbus TCP)", flasher, try image(.copier, version: "2.0.0", payloadSize: 256 * 1024), .copier)
    }

    /// USB bulk frames to the simulated seal (the caller runs under umockdev-wrapper).
    static func seal(_ channel: SealChannel) async throws {
        try await measure("seal (USB)", FirmwareFlasher(seal: channel), try image(.seal, version: "2.0.0", payloadSize: 1024 * 1024), .seal)
    }
}
