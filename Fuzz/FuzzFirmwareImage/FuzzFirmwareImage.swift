import FirmwareSlots
import Foundation
import Protocol

/// libFuzzer entry point for the firmware image decoder and the install check a device runs on
/// it (`FirmwareImage`, `FirmwareImageCheck`), and the simulated payload's settings
/// (`FirmwareSettings`). Properties checked on every input:
/// - no crash or sanitizer report; a refused image is a `FirmwareRefusal`, a refused payload a
///   `FirmwareSettings.ParseError` (typed throws: nothing else can come out);
/// - an image that decodes re-encodes to exactly the input (canonical), and its header decodes
///   on its own to the same manifest and signature, ending where the payload starts;
/// - the check refuses as malformed exactly what does not decode, and what it accepts really is
///   signed by a trusted vendor key, carries the payload its manifest hashes, is for the device's
///   model and obeys the version rules (re-checked here independently);
/// - the header-only check agrees with the whole check on everything but the payload hash;
/// - settings parsed from a payload re-encode to a payload that parses to the same settings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFirmwareImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoded = try? FirmwareImage.decode(bytes)
    let header = try? FirmwareImage.decodeHeader(bytes)
    if let image = decoded {
        guard image.wireBytes() == bytes else { fatalError("firmware image is not canonical") }
        guard let header, header.manifest == image.manifest, header.signature == image.signature,
              header.headerSize + image.payload.count == bytes.count
        else { fatalError("the header decoded alone disagrees with the whole image") }
        checkSettings(image.payload)
    }
    for device in FirmwareFuzz.devices {
        let result = FirmwareImageCheck.check(bytes, vendorKeys: FirmwareFuzz.vendorKeys, device: device)
        switch result {
        case let .success(image):
            guard image == decoded else { fatalError("the check accepted an image the decoder refuses") }
            FirmwareFuzz.requireInstallable(image, on: device)
        case .failure(.malformed):
            guard decoded == nil else { fatalError("the check called a decodable image malformed") }
        case .failure:
            guard decoded != nil else { fatalError("the check judged an image the decoder refuses") }
        }
        if let header {
            let headerRefusal = FirmwareImageCheck.checkHeader(
                manifest: header.manifest, signature: header.signature, vendorKeys: FirmwareFuzz.vendorKeys, device: device
            )
            if case .success = result, let headerRefusal {
                fatalError("the header check refuses (\(headerRefusal)) an image the whole check accepts")
            }
            // The whole check decides signature, hash, then manifest; the header check the same
            // without the hash: every refusal but a hash mismatch is the header check's too.
            if decoded != nil, case let .failure(refusal) = result, !refusal.isHashMismatch, headerRefusal != refusal {
                fatalError("header check \(String(describing: headerRefusal)), whole check \(refusal)")
            }
        }
    }
    // The settings parser on raw bytes too: most inputs are not images, and a payload is any bytes.
    checkSettings(bytes)
    return 0
}

private func checkSettings(_ payload: [UInt8]) {
    guard let settings = try? FirmwareSettings(payload: payload) else { return }
    guard let again = try? FirmwareSettings(payload: settings.payload), again == settings else {
        fatalError("firmware settings did not survive re-encoding: \(settings)")
    }
}

extension FirmwareRefusal {
    var isHashMismatch: Bool {
        if case .hashMismatch = self { return true }
        return false
    }
}

enum FirmwareFuzz {
    /// The vendor key the seeds are signed with: the fuzzer can then reach the checks after the
    /// signature (hash, model, versions) by mutating a signed image's payload, not its manifest.
    static let vendorKey = try! SigningKey(seed: [UInt8](repeating: 0x46, count: 32))
    static let otherKey = try! SigningKey(seed: [UInt8](repeating: 0x47, count: 32))
    static let vendorKeys = VendorKeys([vendorKey.publicKey])

    static let devices = [
        FirmwareDeviceState(model: .copier, runningVersion: FirmwareVersion(major: 1, minor: 0, patch: 0), minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0)),
        FirmwareDeviceState(model: .seal, runningVersion: FirmwareVersion(major: 2, minor: 1, patch: 0), minimumVersion: FirmwareVersion(major: 1, minor: 5, patch: 0)),
    ]

    static func requireInstallable(_ image: FirmwareImage, on device: FirmwareDeviceState) {
        guard let signature = image.signature, let key = vendorKeys[signature.keyID],
              key.isValidSignature(signature.signature, for: image.signedBytes)
        else { fatalError("accepted an image without a valid trusted signature") }
        guard Hash32.sha256(image.payload) == image.manifest.payloadSHA256 else { fatalError("accepted a payload its manifest does not hash") }
        let manifest = image.manifest
        guard manifest.model == device.model, manifest.version > device.runningVersion,
              manifest.version >= device.minimumVersion, device.runningVersion >= manifest.minimumVersion
        else { fatalError("accepted an image the version rules refuse: \(manifest)") }
    }
}

/// `FUZZ_WRITE_SEEDS=<dir> fuzz-firmware-image -runs=0` writes the seed corpus (Fuzz/corpus/
/// firmware-image) from the product's own encoder, then exits.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] else { return 0 }
    func image(_ model: ResourceType, _ version: (UInt16, UInt16, UInt16), minimum: (UInt16, UInt16, UInt16), _ text: String) -> FirmwareImage {
        try! FirmwareImage(
            model: model, version: FirmwareVersion(major: version.0, minor: version.1, patch: version.2),
            minimumVersion: FirmwareVersion(major: minimum.0, minor: minimum.1, patch: minimum.2),
            payload: Array(text.utf8), buildTime: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        )
    }
    let copier = image(.copier, (2, 0, 0), minimum: (1, 0, 0), "name=C45 2.0 fast\npage-rate=25\nfeature=duplex-stapling\n")
    let seal = image(.seal, (2, 2, 0), minimum: (2, 0, 0), "name=seal 2.2\nfeature=watchdog-led\n")
    var badHash = copier.signed(by: FirmwareFuzz.vendorKey).wireBytes()
    badHash[badHash.count - 2] ^= 0x20
    let seeds: [(String, [UInt8])] = [
        ("copier-signed.bin", copier.signed(by: FirmwareFuzz.vendorKey).wireBytes()),
        ("copier-unsigned.bin", copier.wireBytes()),
        ("copier-other-vendor.bin", copier.signed(by: FirmwareFuzz.otherKey).wireBytes()),
        ("copier-too-old.bin", image(.copier, (1, 0, 0), minimum: (1, 0, 0), "name=old\n").signed(by: FirmwareFuzz.vendorKey).wireBytes()),
        ("copier-needs-newer.bin", image(.copier, (3, 0, 0), minimum: (2, 5, 0), "name=C45 3\npage-rate=2.5\n").signed(by: FirmwareFuzz.vendorKey).wireBytes()),
        ("seal-signed.bin", seal.signed(by: FirmwareFuzz.vendorKey).wireBytes()),
        ("broken-payload-hash.bin", badHash),
        ("broken-header-only.bin", Array(copier.signed(by: FirmwareFuzz.vendorKey).wireBytes().prefix(FirmwareImage.signedHeaderSize))),
    ]
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in seeds {
        guard FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes)) else { fatalError("cannot write \(directory)/\(name)") }
    }
    print("wrote \(seeds.count) seeds to \(directory)")
    exit(0)
}
