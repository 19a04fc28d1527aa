import Foundation
import Testing
@testable import Protocol

/// The libFuzzer seeds in Fuzz/corpus/seal-frame are produced by this code. Run with
/// IMPRIMATUR_WRITE_SEAL_SEEDS=1 to (re)write them; otherwise the test checks they still equal
/// what the encoder produces, and that each valid seed decodes and each broken one is refused.
@Suite("Seal fuzz seeds")
struct SealSeedCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/seal-frame")

    static func seeds() throws -> [(name: String, bytes: [UInt8], valid: Bool)] {
        let frames = try SealSamples.frames()
        func frame(_ type: SealFrameType) -> [UInt8] { frames.first { $0.type == type }!.encode() }
        let heartbeat = try SealSamples.heartbeatExample().encode()
        var badCRC = heartbeat
        badCRC[badCRC.count - 1] ^= 0x01
        var unknownType = heartbeat
        unknownType[4] = 0x42
        var truncatedField = heartbeat
        truncatedField.removeSubrange(7..<8)
        truncatedField[3] = 1
        var trailing = heartbeat
        trailing.insert(0x00, at: 9)
        trailing[3] = 3
        return [
            ("valid-device-info-request.bin", frame(.deviceInfoRequest), true),
            ("valid-device-info.bin", frame(.deviceInfo), true),
            ("valid-unlock.bin", frame(.unlock), true),
            ("valid-status.bin", frame(.status), true),
            ("valid-stamp-report.bin", frame(.stampReport), true),
            ("valid-firmware-chunk.bin", frame(.firmwareChunk), true),
            ("valid-firmware-begin.bin", frame(.firmwareBegin), true),
            ("valid-firmware-install.bin", frame(.firmwareInstall), true),
            ("valid-firmware-status.bin", frame(.firmwareStatus), true),
            ("valid-error.bin", frame(.error), true),
            ("valid-heartbeat-and-ack.bin", heartbeat + frame(.ack), true),
            ("broken-magic.bin", [0x5E, 0xA2] + heartbeat.dropFirst(2), false),
            ("broken-too-long.bin", [0x5E, 0xA1, 0x0F, 0xF6, 0x04, 0x00, 0x01], false),
            ("broken-crc.bin", badCRC, false),
            ("broken-unknown-type.bin", SealSamples.withFixedCRC(unknownType), false),
            ("broken-truncated-field.bin", SealSamples.withFixedCRC(truncatedField), false),
            ("broken-trailing-bytes.bin", SealSamples.withFixedCRC(trailing), false),
        ]
    }

    @Test func seedsAreWhatTheEncoderProduces() throws {
        let write = ProcessInfo.processInfo.environment["IMPRIMATUR_WRITE_SEAL_SEEDS"] == "1"
        if write {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        }
        for seed in try Self.seeds() {
            let url = Self.directory.appendingPathComponent(seed.name)
            if write { try Data(seed.bytes).write(to: url) }
            #expect(try [UInt8](Data(contentsOf: url)) == seed.bytes, "\(seed.name)")

            var decoder = SealFrameDecoder()
            decoder.append(seed.bytes)
            var frames = 0
            var failed = false
            do {
                while try decoder.next() != nil { frames += 1 }
            } catch {
                failed = true
            }
            #expect(failed != seed.valid, "\(seed.name)")
            if seed.valid { #expect(frames >= 1 && decoder.bufferedByteCount == 0, "\(seed.name)") }
        }
    }
}
