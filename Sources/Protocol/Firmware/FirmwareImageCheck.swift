/// The vendor public keys a device trusts for firmware, by key id. Distinct from the server's
/// grant keys (`TrustedKeys`): a server key can never sign firmware, nor a vendor key a grant.
public struct VendorKeys: Hashable, Sendable {
    private var keys: [KeyID: PublicKey]

    public init(_ keys: [PublicKey] = []) {
        self.keys = [:]
        for key in keys { self.keys[key.keyID] = key }
    }

    public subscript(keyID: KeyID) -> PublicKey? { keys[keyID] }

    public var isEmpty: Bool { keys.isEmpty }

    /// Every key, ordered by key id for stable output and storage.
    public var all: [PublicKey] { keys.values.sorted { $0.keyID < $1.keyID } }
}

/// What a device knows when it decides whether to install an image.
public struct FirmwareDeviceState: Hashable, Sendable {
    public let model: ResourceType
    public let runningVersion: FirmwareVersion
    /// The lowest version this device may ever run again; only goes up.
    public let minimumVersion: FirmwareVersion

    public init(model: ResourceType, runningVersion: FirmwareVersion, minimumVersion: FirmwareVersion) {
        self.model = model
        self.runningVersion = runningVersion
        self.minimumVersion = minimumVersion
    }
}

/// Why a device refused a firmware image. `description` says it for a technician.
public enum FirmwareRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a whole, well-formed image (cut short, wrong magic, bad lengths, ...).
    case malformed(WireError)
    /// The image carries no signature.
    case unsigned
    /// The image is signed by a key the device does not trust.
    case unknownVendorKey(KeyID)
    /// The signature does not verify under the named (trusted) key.
    case badSignature(KeyID)
    /// The payload is not the one the signed manifest describes.
    case hashMismatch(expected: Hash32, actual: Hash32)
    /// The image is for another kind of device.
    case wrongModel(image: ResourceType, device: ResourceType)
    /// The image is not newer than what the device runs.
    case notNewer(image: FirmwareVersion, running: FirmwareVersion)
    /// The image is below the lowest version the device may run again.
    case belowMinimumVersion(image: FirmwareVersion, minimum: FirmwareVersion)
    /// The image may only replace versions from `required` on; the device runs an older one.
    case runningTooOld(running: FirmwareVersion, required: FirmwareVersion)

    public var description: String {
        switch self {
        case let .malformed(error):
            return "not a valid firmware image: \(error)"
        case .unsigned:
            return "the image is not signed"
        case let .unknownVendorKey(keyID):
            return "signed by vendor key \(keyID), which this device does not trust"
        case let .badSignature(keyID):
            return "the signature does not verify under vendor key \(keyID)"
        case let .hashMismatch(expected, actual):
            return "the payload's SHA-256 is \(actual), the signed manifest says \(expected)"
        case let .wrongModel(image, device):
            return "the image is for a \(image), this device is a \(device)"
        case let .notNewer(image, running):
            return "version \(image) is not newer than the running version \(running)"
        case let .belowMinimumVersion(image, minimum):
            return "version \(image) is below this device's minimum version \(minimum)"
        case let .runningTooOld(running, required):
            return "the image may only replace version \(required) or later, this device runs \(running)"
        }
    }

    /// A short stable name for logs, status registers and JSON.
    public var code: String {
        switch self {
        case .malformed: return "malformed"
        case .unsigned: return "unsigned"
        case .unknownVendorKey: return "unknown-vendor-key"
        case .badSignature: return "bad-signature"
        case .hashMismatch: return "hash-mismatch"
        case .wrongModel: return "wrong-model"
        case .notNewer: return "not-newer"
        case .belowMinimumVersion: return "below-minimum-version"
        case .runningTooOld: return "running-too-old"
        }
    }
}

/// Decides whether a device may install an image. Pure: the device passes in its trusted vendor
/// keys and its state. The order is shape, signature, payload hash, then what the (now
/// authenticated) manifest says: nothing an attacker wrote is believed before the signature.
public enum FirmwareImageCheck {
    public static func check(
        _ bytes: [UInt8], vendorKeys: VendorKeys, device: FirmwareDeviceState
    ) -> Result<FirmwareImage, FirmwareRefusal> {
        let image: FirmwareImage
        do {
            image = try FirmwareImage.decode(bytes)
        } catch {
            return .failure(.malformed(error))
        }
        return check(image, vendorKeys: vendorKeys, device: device)
    }

    public static func check(
        _ image: FirmwareImage, vendorKeys: VendorKeys, device: FirmwareDeviceState
    ) -> Result<FirmwareImage, FirmwareRefusal> {
        if let refusal = refusal(for: image, vendorKeys: vendorKeys, device: device) {
            return .failure(refusal)
        }
        return .success(image)
    }

    /// The header-only part of the check (signature, model, versions), for a device that wants
    /// to refuse an image before receiving its payload. The hash is checked in `check`.
    public static func checkHeader(
        manifest: FirmwareManifest, signature: VendorSignature?, vendorKeys: VendorKeys, device: FirmwareDeviceState
    ) -> FirmwareRefusal? {
        if let refusal = signatureRefusal(manifest: manifest, signature: signature, vendorKeys: vendorKeys) {
            return refusal
        }
        return manifestRefusal(manifest, device: device)
    }

    private static func refusal(for image: FirmwareImage, vendorKeys: VendorKeys, device: FirmwareDeviceState) -> FirmwareRefusal? {
        if let refusal = signatureRefusal(manifest: image.manifest, signature: image.signature, vendorKeys: vendorKeys) {
            return refusal
        }
        let actual = Hash32.sha256(image.payload)
        guard actual == image.manifest.payloadSHA256 else {
            return .hashMismatch(expected: image.manifest.payloadSHA256, actual: actual)
        }
        return manifestRefusal(image.manifest, device: device)
    }

    private static func signatureRefusal(manifest: FirmwareManifest, signature: VendorSignature?, vendorKeys: VendorKeys) -> FirmwareRefusal? {
        guard let signature else { return .unsigned }
        guard let key = vendorKeys[signature.keyID] else { return .unknownVendorKey(signature.keyID) }
        guard key.isValidSignature(signature.signature, for: FirmwareImage.signedBytes(of: manifest)) else {
            return .badSignature(signature.keyID)
        }
        return nil
    }

    private static func manifestRefusal(_ manifest: FirmwareManifest, device: FirmwareDeviceState) -> FirmwareRefusal? {
        guard manifest.model == device.model else {
            return .wrongModel(image: manifest.model, device: device.model)
        }
        // The floor first: an image below it is refused for that reason even when it is also
        // not newer, since no later state of the device would ever take it.
        guard manifest.version >= device.minimumVersion else {
            return .belowMinimumVersion(image: manifest.version, minimum: device.minimumVersion)
        }
        guard manifest.version > device.runningVersion else {
            return .notNewer(image: manifest.version, running: device.runningVersion)
        }
        guard device.runningVersion >= manifest.minimumVersion else {
            return .runningTooOld(running: device.runningVersion, required: manifest.minimumVersion)
        }
        return nil
    }
}
