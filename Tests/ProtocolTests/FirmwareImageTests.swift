import Testing
import TestSupport
@testable import Protocol

/// Fixed keys and images so a failure reproduces byte for byte.
enum FirmwareSamples {
    static let vendor = try! SigningKey(seed: [UInt8](repeating: 0x11, count: 32))
    static let otherVendor = try! SigningKey(seed: [UInt8](repeating: 0x22, count: 32))
    static let payload = Array("model=Imprimatur C-200\npage-rate=30\nduplex=on\n".utf8)
    static let built = Timestamp(secondsSinceEpoch: 1_790_000_000)

    static func version(_ text: String) -> FirmwareVersion { FirmwareVersion(parsing: text)! }

    static func image(
        model: ResourceType = .copier, version: String = "1.2.0", minimum: String = "1.0.0",
        payload: [UInt8] = payload
    ) -> FirmwareImage {
        try! FirmwareImage(model: model, version: Self.version(version), minimumVersion: Self.version(minimum), payload: payload, buildTime: built)
    }

    static let device = FirmwareDeviceState(model: .copier, runningVersion: version("1.1.0"), minimumVersion: version("1.0.0"))
    static let keys = VendorKeys([vendor.publicKey])
}

@Suite("Firmware image format")
struct FirmwareImageFormatTests {
    typealias S = FirmwareSamples

    @Test func roundTripsSignedAndUnsigned() throws {
        for image in [S.image(), S.image().signed(by: S.vendor)] {
            let bytes = image.wireBytes()
            #expect(try FirmwareImage.decode(bytes) == image)
            #expect(bytes.count == (image.signature == nil ? FirmwareImage.unsignedHeaderSize : FirmwareImage.signedHeaderSize) + S.payload.count)
        }
    }

    /// The layout docs/firmware.md describes, field by field.
    @Test func layoutMatchesTheDocument() throws {
        let image = S.image(version: "1.2.3", minimum: "1.0.1").signed(by: S.vendor)
        let bytes = image.wireBytes()
        #expect(Array(bytes[0..<4]) == Array("IMFW".utf8))
        #expect(bytes[4] == 1)
        #expect(bytes[5] == ResourceType.copier.rawValue)
        #expect(Array(bytes[6..<12]) == [0, 1, 0, 2, 0, 3])
        #expect(Array(bytes[12..<18]) == [0, 1, 0, 0, 0, 1])
        #expect(Array(bytes[18..<22]) == [0, 0, 0, UInt8(S.payload.count)])
        #expect(Array(bytes[22..<54]) == Hash32.sha256(S.payload).bytes)
        #expect(Array(bytes[54..<62]) == Timestamp(secondsSinceEpoch: 1_790_000_000).wireBytesForTest)
        #expect(bytes[62] == 1)
        #expect(Array(bytes[63..<71]) == S.vendor.keyID.bytes)
        #expect(S.vendor.publicKey.isValidSignature(try Signature(bytes: Array(bytes[71..<135])), for: bytes[0..<62]))
        #expect(Array(bytes[135...]) == S.payload)
        #expect(FirmwareImage.signedHeaderSize == 135)
    }

    @Test func headerDecodesWithoutThePayload() throws {
        let bytes = S.image().signed(by: S.vendor).wireBytes()
        let header = try FirmwareImage.decodeHeader(Array(bytes.prefix(FirmwareImage.signedHeaderSize)))
        #expect(header.headerSize == FirmwareImage.signedHeaderSize)
        #expect(header.manifest.version == S.version("1.2.0"))
        #expect(header.signature?.keyID == S.vendor.keyID)
    }

    @Test("every cut of an image is refused as truncated")
    func everyTruncationIsRefused() {
        let bytes = S.image().signed(by: S.vendor).wireBytes()
        for length in 0..<bytes.count {
            do {
                _ = try FirmwareImage.decode(Array(bytes.prefix(length)))
                Issue.record("decoded an image cut to \(length) bytes")
            } catch {
                guard case .truncated = error else { Issue.record("cut to \(length): \(error)"); continue }
            }
        }
    }

    @Test func refusesWrongMagicFormatAndTrailingBytes() {
        var bytes = S.image().wireBytes()
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: WireError.invalidValue(field: "firmware magic", reason: "expected \"IMFW\" (494d4657), got 584d4657: not a firmware image")) {
            try FirmwareImage.decode(bytes)
        }
        bytes = S.image().wireBytes()
        bytes[4] = 2
        #expect(throws: WireError.invalidValue(field: "firmware format version", reason: "this device reads format 1, the image is format 2")) {
            try FirmwareImage.decode(bytes)
        }
        #expect(throws: WireError.trailingBytes(count: 1)) { try FirmwareImage.decode(S.image().wireBytes() + [0]) }
        bytes = S.image().wireBytes()
        bytes[5] = 9
        #expect(throws: WireError.unknownTag(field: "resource type", tag: 9)) { try FirmwareImage.decode(bytes) }
        bytes = S.image().wireBytes()
        bytes[62] = 2
        #expect(throws: WireError.invalidValue(field: "signature presence", reason: "a bool must be 0 or 1, got 2")) { try FirmwareImage.decode(bytes) }
    }

    @Test func manifestRulesAreChecked() {
        #expect(throws: WireError.invalidValue(field: "minimum version", reason: "2.0.0 is above the image's own version 1.0.0")) {
            try FirmwareImage(model: .seal, version: S.version("1.0.0"), minimumVersion: S.version("2.0.0"), payload: [1], buildTime: S.built)
        }
        #expect(throws: WireError.invalidValue(field: "payload size", reason: "0 is not between 1 and \(FirmwareManifest.maximumPayloadSize)")) {
            try FirmwareImage(model: .seal, version: S.version("1.0.0"), minimumVersion: S.version("1.0.0"), payload: [], buildTime: S.built)
        }
        // A size over the limit in the bytes is refused before anything is allocated.
        var bytes = S.image().wireBytes()
        bytes.replaceSubrange(18..<22, with: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.invalidValue(field: "payload size", reason: "2147483647 is not between 1 and \(FirmwareManifest.maximumPayloadSize)")) {
            try FirmwareImage.decode(bytes)
        }
    }
}

@Suite("Firmware image check")
struct FirmwareImageCheckTests {
    typealias S = FirmwareSamples

    private func refusal(_ bytes: [UInt8], keys: VendorKeys = S.keys, device: FirmwareDeviceState = S.device) -> FirmwareRefusal? {
        switch FirmwareImageCheck.check(bytes, vendorKeys: keys, device: device) {
        case .success: return nil
        case let .failure(refusal): return refusal
        }
    }

    @Test func acceptsASignedNewerImageForTheRightModel() throws {
        let image = S.image().signed(by: S.vendor)
        #expect(try FirmwareImageCheck.check(image.wireBytes(), vendorKeys: S.keys, device: S.device).get() == image)
    }

    @Test func refusesUnsigned() {
        #expect(refusal(S.image().wireBytes()) == .unsigned)
        #expect(FirmwareRefusal.unsigned.description == "the image is not signed")
    }

    @Test func refusesAnUnknownVendorKey() {
        let refused = refusal(S.image().signed(by: S.otherVendor).wireBytes())
        #expect(refused == .unknownVendorKey(S.otherVendor.keyID))
        #expect(refused?.description == "signed by vendor key \(S.otherVendor.keyID), which this device does not trust")
    }

    @Test("a signature is bad when any signed byte or the signature itself changes")
    func refusesABadSignature() {
        let good = S.image().signed(by: S.vendor).wireBytes()
        // The version's patch (inside the signed manifest, still a valid manifest) and a
        // signature byte.
        for index in [10, 100] {
            var bytes = good
            bytes[index] ^= 0x01
            #expect(refusal(bytes) == .badSignature(S.vendor.keyID), "byte \(index)")
        }
    }

    @Test func refusesAPayloadThatIsNotTheSignedOne() {
        var bytes = S.image().signed(by: S.vendor).wireBytes()
        bytes[bytes.count - 1] ^= 0xFF
        let actual = Hash32.sha256(bytes.suffix(S.payload.count))
        #expect(refusal(bytes) == .hashMismatch(expected: .sha256(S.payload), actual: actual))
    }

    @Test func refusesTheWrongModel() {
        let refused = refusal(S.image(model: .seal).signed(by: S.vendor).wireBytes())
        #expect(refused == .wrongModel(image: .seal, device: .copier))
        #expect(refused?.description == "the image is for a seal, this device is a copier")
    }

    @Test("older or the same version is refused", arguments: ["1.1.0", "1.0.9"])
    func refusesNotNewer(version: String) {
        #expect(refusal(S.image(version: version).signed(by: S.vendor).wireBytes()) == .notNewer(image: S.version(version), running: S.version("1.1.0")))
    }

    @Test func refusesBelowTheStoredMinimum() {
        let device = FirmwareDeviceState(model: .copier, runningVersion: S.version("1.1.0"), minimumVersion: S.version("1.1.0"))
        let refused = refusal(S.image(version: "1.0.5", minimum: "1.0.0").signed(by: S.vendor).wireBytes(), device: device)
        #expect(refused == .belowMinimumVersion(image: S.version("1.0.5"), minimum: S.version("1.1.0")))
        #expect(refused?.description == "version 1.0.5 is below this device's minimum version 1.1.0")
    }

    @Test func refusesReplacingAVersionOlderThanTheImageAllows() {
        let refused = refusal(S.image(version: "2.0.0", minimum: "1.5.0").signed(by: S.vendor).wireBytes())
        #expect(refused == .runningTooOld(running: S.version("1.1.0"), required: S.version("1.5.0")))
    }

    @Test func refusesTruncatedAsMalformed() {
        let bytes = S.image().signed(by: S.vendor).wireBytes()
        guard case let .malformed(error) = refusal(Array(bytes.dropLast())) else {
            Issue.record("a truncated image was not refused as malformed")
            return
        }
        #expect(error == .truncated(field: "payload", needed: 1, available: S.payload.count - 1))
        #expect(refusal([]) == .malformed(.truncated(field: "firmware magic", needed: 4, available: 0)))
    }

    /// A device that checks the header before the payload arrives refuses for the same reason.
    @Test func headerCheckAgreesWithTheFullCheck() throws {
        let image = S.image(model: .seal).signed(by: S.vendor)
        let header = try FirmwareImage.decodeHeader(image.wireBytes())
        #expect(FirmwareImageCheck.checkHeader(manifest: header.manifest, signature: header.signature, vendorKeys: S.keys, device: S.device) == .wrongModel(image: .seal, device: .copier))
    }
}

extension Timestamp {
    var wireBytesForTest: [UInt8] {
        var writer = ByteWriter()
        writer.i64(millisecondsSinceEpoch)
        return writer.bytes
    }
}

/// Damaged images, drawn by a seeded generator: decoding and checking never crash, and an image
/// that still decodes is exactly its own canonical bytes (so a signature covers one encoding).
@Suite("Firmware image, damaged at random")
struct FirmwareImageDamageTests {
    typealias S = FirmwareSamples

    @Test func flippedBytesAreRefusedOrCanonical() {
        var generator = SplitMix64(seed: 8)
        let good = S.image().signed(by: S.vendor).wireBytes()
        var refusedCount = 0
        for _ in 0..<2000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator))) }
            if let image = try? FirmwareImage.decode(bytes) {
                #expect(image.wireBytes() == bytes)
            }
            switch FirmwareImageCheck.check(bytes, vendorKeys: S.keys, device: S.device) {
            case .success: #expect(bytes == good, "a damaged image was accepted")
            case .failure: refusedCount += 1
            }
        }
        #expect(refusedCount > 1900)
    }
}
