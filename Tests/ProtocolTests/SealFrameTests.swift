import TestSupport
import Foundation
import Testing
@testable import Protocol

@Suite("Seal frames")
struct SealFrameTests {
    @Test func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("123456789".utf8)) == CRC32.check)
        #expect(CRC32.checksum([UInt8]()) == 0)
        // zlib.crc32(b"\x00") and zlib.crc32(b"\xff" * 4)
        #expect(CRC32.checksum([0x00]) == 0xD202_EF8D)
        #expect(CRC32.checksum([0xFF, 0xFF, 0xFF, 0xFF]) == 0xFFFF_FFFF)
    }

    @Test func everyFrameTypeRoundTrips() throws {
        let frames = try SealSamples.frames()
        #expect(Set(frames.map(\.type)) == Set(SealFrameType.allCases))
        for frame in frames {
            let bytes = frame.encode()
            var decoder = SealFrameDecoder()
            decoder.append(bytes)
            #expect(try decoder.next() == frame)
            #expect(try decoder.next() == nil)
            #expect(decoder.bufferedByteCount == 0)
            #expect(bytes.count <= SealFrame.maximumFrameSize)
        }
    }

    @Test func largestPayloadsFitTheMaximumFrame() throws {
        let unlock = SealFrame(sequence: .max, message: .unlock(try SealUnlock(
            grantToken: [UInt8](repeating: 0xEE, count: SealUnlock.maximumGrantTokenSize), uses: .max, nonce: try SealSamples.nonce()
        )))
        let chunk = SealFrame(sequence: 0, message: .firmwareChunk(try SealFirmwareChunk(
            imageID: .max, offset: UInt64.max - 2048, data: [UInt8](repeating: 0x5E, count: SealFirmwareChunk.maximumDataSize)
        )))
        let error = SealFrame(sequence: 1, message: .error(try SealErrorReport(code: .internalError, text: String(repeating: "é", count: 127))))
        for frame in [unlock, chunk, error] {
            let bytes = frame.encode()
            #expect(bytes.count <= SealFrame.maximumFrameSize)
            var decoder = SealFrameDecoder()
            decoder.append(bytes)
            #expect(try decoder.next() == frame)
        }
    }

    /// The worked example in docs/seal-usb.md; the CRC was also computed with Python's
    /// zlib.crc32, an independent implementation.
    static let heartbeatHex = "5ea1000204000707d04eeb3c05"
    static let stampReportHex = "5ea10016900102000004d30002101112131415161718191a1b1c1d1e1fc0a6d15f"

    /// Sample frames of other types, as docs/seal-usb.md shows them.
    static let sampleHex: [(SealFrameType, String)] = [
        (.deviceInfo, "5ea100268100020201097365616c2d68712d31000100040002a0a1a2a3a4a5a6a7a8a9aaabacadaeaf000004d2e31c68a4"),
        (.unlock, "5ea1001f020003000b6772616e742d746f6b656e0003a0a1a2a3a4a5a6a7a8a9aaabacadaeaf5c484f1e"),
        (.status, "5ea1001a850008010002101112131415161718191a1b1c1d1e1f000004d307d0016d27fbb7"),
        (.error, "5ea100177f000e0007146e6f6e6365206973206e6f742063757272656e743ebd2462"),
    ]

    @Test func workedExamples() throws {
        let frames = try SealSamples.frames()
        for (type, hex) in Self.sampleHex {
            #expect(Hex.encode(frames.first { $0.type == type }?.encode() ?? []) == hex)
        }
        #expect(Hex.encode(try SealSamples.heartbeatExample().encode()) == Self.heartbeatHex)
        let report = SealFrame(sequence: 0x0102, message: .stampReport(try SealStampReport(
            stampNumber: 1235, usesRemaining: 2, grantID: try SealSamples.grantID()
        )))
        #expect(Hex.encode(report.encode()) == Self.stampReportHex)
    }

    @Test func workedExamplesAppearInTheDocument() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/seal-usb.md")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: " ", with: "")
        for hex in [Self.heartbeatHex, Self.stampReportHex] + Self.sampleHex.map(\.1) {
            #expect(text.contains(hex), "docs/seal-usb.md lacks \(hex)")
        }
    }

    @Test func frameTypesAndDirections() {
        for type in SealFrameType.allCases {
            switch type.direction {
            case .toSeal: #expect(type.rawValue < 0x40)
            case .toAgent: #expect(type.rawValue >= 0x80)
            case .either: #expect(type == .ack || type == .error)
            }
        }
        #expect(SealFrame.maximumPayloadSize == 4085)
    }
}

@Suite("Seal payloads")
struct SealPayloadTests {
    @Test func constructorsRefuseWhatDecodersRefuse() throws {
        let nonce = try SealSamples.nonce()
        #expect(throws: WireError.invalidValue(field: "grant token", reason: "must not be empty")) {
            try SealUnlock(grantToken: [], uses: 1, nonce: nonce)
        }
        #expect(throws: WireError.tooLong(field: "grant token", length: 2049, limit: 2048)) {
            try SealUnlock(grantToken: [UInt8](repeating: 1, count: 2049), uses: 1, nonce: nonce)
        }
        #expect(throws: WireError.invalidValue(field: "uses", reason: "must be at least 1")) {
            try SealUnlock(grantToken: [1], uses: 0, nonce: nonce)
        }
        #expect(throws: WireError.invalidValue(field: "uses allowed", reason: "must be at least 1")) {
            try SealUnlocked(usesAllowed: 0, grantID: try SealSamples.grantID())
        }
        #expect(throws: WireError.invalidValue(field: "watchdog ms", reason: "must be 100...60000, got 99")) {
            try SealHeartbeat(watchdogMilliseconds: 99)
        }
        #expect(throws: WireError.invalidValue(field: "watchdog ms", reason: "must be 100...60000, got 60001")) {
            try SealHeartbeat(watchdogMilliseconds: 60001)
        }
        #expect(throws: WireError.invalidValue(field: "uses remaining", reason: "an unlocked seal has at least 1 use left")) {
            try SealStatus(lock: .unlocked(grantID: try SealSamples.grantID(), usesRemaining: 0), totalStamps: 1, watchdogMilliseconds: 2000, seated: true)
        }
        #expect(throws: WireError.invalidValue(field: "stamp number", reason: "stamps are numbered from 1")) {
            try SealStampReport(stampNumber: 0, usesRemaining: 1, grantID: try SealSamples.grantID())
        }
        #expect(throws: WireError.invalidValue(field: "data", reason: "must not be empty")) {
            try SealFirmwareChunk(imageID: 1, offset: 0, data: [])
        }
        #expect(throws: WireError.tooLong(field: "data", length: 2049, limit: 2048)) {
            try SealFirmwareChunk(imageID: 1, offset: 0, data: [UInt8](repeating: 0, count: 2049))
        }
        #expect(throws: WireError.invalidValue(field: "offset", reason: "offset \(UInt64.max) plus 1 byte(s) overflows 64 bits")) {
            try SealFirmwareChunk(imageID: 1, offset: .max, data: [0])
        }
        #expect(throws: WireError.tooLong(field: "error text", length: 256, limit: 255)) {
            try SealErrorReport(code: .busy, text: String(repeating: "x", count: 256))
        }
        #expect(throws: WireError.invalidValue(field: "nonce", reason: "must be 16 bytes, got 15")) {
            try SealNonce(bytes: [UInt8](repeating: 0, count: 15))
        }
    }

    @Test func payloadsRoundTripAlone() throws {
        let info = SealDeviceInfo(
            model: .simulated, serial: try ResourceID("seal-2"),
            firmware: FirmwareVersion(major: 2, minor: 0, patch: 65535), nonce: try SealSamples.nonce(), usesCounter: .max
        )
        #expect(try SealDeviceInfo(wireBytes: info.wireBytes()) == info)
        let status = try SealStatus(lock: .locked, totalStamps: 9, watchdogMilliseconds: 60000, seated: true)
        #expect(try SealStatus(wireBytes: status.wireBytes()) == status)
        #expect(!status.isUnlocked && status.usesRemaining == 0 && status.grantID == nil)
        let grant = try SealSamples.grantID()
        let open = try SealStatus(lock: .unlocked(grantID: grant, usesRemaining: 4), totalStamps: 9, watchdogMilliseconds: 500, seated: true)
        #expect(open.isUnlocked && open.usesRemaining == 4 && open.grantID == grant)
    }

    @Test func nonceComesFromTheInjectedGenerator() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let nonce = SealNonce.random(using: &first)
        #expect(nonce == SealNonce.random(using: &second))
        #expect(nonce.bytes.count == 16)
        #expect(nonce != SealNonce.random(using: &first))
    }

    @Test func errorCodesAreStable() {
        #expect(SealErrorCode.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255])
    }
}
