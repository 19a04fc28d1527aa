import Foundation
import Testing
@testable import Protocol

/// The seed corpus of the uplink frame fuzzer (Fuzz/corpus/uplink-frame): valid frames of
/// several types and a few broken ones. The test keeps the committed files equal to what the
/// code produces; run it with IMPRIMATUR_WRITE_FUZZ_CORPUS=1 to rewrite them.
enum UplinkFuzzCorpus {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/uplink-frame")

    static let validSeeds = [
        "hello", "challenge", "auth-proof", "auth-accepted", "grant-request-card", "grant-request-seal",
        "grant", "refusal", "limit-update", "server-keys", "event-batch", "usage-hash-answer",
        "blob-chunk", "firmware-status", "ping", "part-offer", "part-chunk", "part-done-printed",
        "part-done-not-printed",
    ]

    static var files: [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in validSeeds {
            files[name + ".bin"] = UplinkSamples.all.first { $0.name == name }!.frame.encode()
        }
        let ack = UplinkFrame(.ack(.init(sequence: 40))).encode()
        files["two-frames.bin"] = ack + UplinkFrame(.ping(.init(nonce: 1, senderTime: UplinkSamples.time))).encode()
        files["broken-bad-magic.bin"] = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        files["broken-reserved-flags.bin"] = uplinkFrameBytes(type: 0x21, payload: Array(ack.dropFirst(13)), flags: 0x02)
        files["broken-too-large.bin"] = uplinkFrameBytes(type: 0x14, payload: [], length: 0xffff_ffff)
        files["broken-trailing-byte.bin"] = uplinkFrameBytes(type: 0x21, payload: Array(ack.dropFirst(13)) + [0])
        return files
    }
}

@Suite("Uplink fuzz corpus")
struct UplinkFuzzCorpusTests {
    @Test func seedsDecodeAsIntended() throws {
        for (name, bytes) in UplinkFuzzCorpus.files {
            var decoder = UplinkFrameDecoder()
            decoder.append(bytes)
            var frames = 0
            var failed = false
            do {
                while try decoder.next() != nil { frames += 1 }
            } catch {
                failed = true
            }
            #expect(failed == name.hasPrefix("broken-"), "\(name)")
            if !failed { #expect(frames == (name == "two-frames.bin" ? 2 : 1) && decoder.bufferedByteCount == 0, "\(name)") }
        }
    }

    @Test func committedCorpusMatchesTheCode() throws {
        let files = UplinkFuzzCorpus.files
        let manager = FileManager.default
        if ProcessInfo.processInfo.environment["IMPRIMATUR_WRITE_FUZZ_CORPUS"] == "1" {
            try manager.createDirectory(at: UplinkFuzzCorpus.directory, withIntermediateDirectories: true)
            for (name, bytes) in files {
                try Data(bytes).write(to: UplinkFuzzCorpus.directory.appendingPathComponent(name))
            }
        }
        let onDisk = try manager.contentsOfDirectory(atPath: UplinkFuzzCorpus.directory.path)
        #expect(Set(onDisk) == Set(files.keys))
        for (name, bytes) in files {
            let data = try Data(contentsOf: UplinkFuzzCorpus.directory.appendingPathComponent(name))
            #expect(Array(data) == bytes, "\(name) is stale; rerun with IMPRIMATUR_WRITE_FUZZ_CORPUS=1")
        }
    }
}
