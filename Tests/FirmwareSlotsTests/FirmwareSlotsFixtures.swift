import FirmwareSlots
import Foundation
import Protocol
import TestSupport

/// A hand-turned clock, so trial deadlines are decided by the test, not by the machine's load.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var milliseconds: Int64 = 1_790_000_000_000

    var now: Timestamp { lock.withLock { Timestamp(millisecondsSinceEpoch: milliseconds) } }
    func advance(seconds: Int64) { lock.withLock { milliseconds += seconds * 1000 } }
}

enum SlotSamples {
    static let vendor = try! SigningKey(seed: [UInt8](repeating: 0x31, count: 32))
    static let stranger = try! SigningKey(seed: [UInt8](repeating: 0x32, count: 32))
    static let factorySettings = FirmwareSettings(values: ["name": "factory", "page-rate": "10"])

    static func version(_ text: String) -> FirmwareVersion { FirmwareVersion(parsing: text)! }

    static func image(_ version: String, minimum: String = "1.0.0", model: ResourceType = .copier, name: String = "new", signer: SigningKey? = vendor) -> [UInt8] {
        let payload = Array("name=\(name)\npage-rate=25\nfeature=stapling\n".utf8)
        let image = try! FirmwareImage(
            model: model, version: Self.version(version), minimumVersion: Self.version(minimum),
            payload: payload, buildTime: Timestamp(secondsSinceEpoch: 1_790_000_000)
        )
        return (signer.map { image.signed(by: $0) } ?? image).wireBytes()
    }

    static func bank(_ directory: TemporaryDirectory, clock: TestClock, boots: UInt16 = 2, seconds: Int64 = 30) throws -> FirmwareBank {
        try FirmwareBank(
            directory: directory.appending("firmware"), model: .copier, factoryVersion: version("1.0.0"),
            factorySettings: factorySettings, vendorKeys: [vendor.publicKey],
            configuration: .init(trialBoots: boots, trialSeconds: seconds), clock: { clock.now }
        )
    }

    /// Sends `image` in chunks of `chunk` bytes, as an agent would.
    static func send(_ image: [UInt8], to bank: FirmwareBank, imageID: UInt32 = 7, chunk: Int = 100, from start: Int = 0) -> FirmwareSlotStatus {
        var status = bank.begin(imageID: imageID, size: UInt32(image.count), sessionActive: false)
        var offset = max(start, Int(status.bytesReceived))
        while offset < image.count {
            let end = min(image.count, offset + chunk)
            status = bank.write(imageID: imageID, offset: UInt32(offset), data: Array(image[offset..<end]))
            offset = Int(status.bytesReceived)
        }
        return status
    }
}
