import Protocol

/// The `[seal]` section of agent.toml: the box drives a company seal over USB (docs/agent.md).
/// Present only when the section is; each problem names its key.
public struct SealConfig: Sendable, Equatable {
    /// The seal's resource id in grants (its serial; the seal refuses grants for another).
    public var sealID: ResourceID
    public var vendorID: UInt16
    public var productID: UInt16
    /// Where the box is, recorded with each stamp; `device.location` unless `seal.location` is set.
    public var location: String
    public var photoMode: SealPhotoMode
    /// Manual photo mode: how many photos are taken after the last stamp (nil: one per stamp).
    public var photosAfterUse: Int?
    public var watchdogMilliseconds: Int

    static let keys: Set<String> = [
        "seal.id", "seal.vendor_id", "seal.product_id", "seal.location", "seal.photo_mode", "seal.photos_after_use", "seal.watchdog_ms",
    ]

    /// The section, or nil when the file has no `seal.` key at all.
    static func parse(_ file: ConfigFile, deviceLocation: String) throws(ConfigError) -> SealConfig? {
        guard file.values.keys.contains(where: { $0.hasPrefix("seal.") }) else { return nil }
        let id = try file.requiredString("seal.id")
        let sealID: ResourceID
        do { sealID = try ResourceID(id) } catch { throw .invalid(key: "seal.id", error.description) }
        let mode = try file.string("seal.photo_mode") ?? SealPhotoMode.automatic.rawValue
        guard let photoMode = SealPhotoMode(rawValue: mode) else {
            throw .invalid(key: "seal.photo_mode", "\(mode) must be automatic or manual")
        }
        let photos = try file.integer("seal.photos_after_use", in: 0...100)
        if photos != nil && photoMode != .manual {
            throw .invalid(key: "seal.photos_after_use", "photos after use are taken only in photo_mode = \"manual\"")
        }
        return SealConfig(
            sealID: sealID,
            vendorID: try usbID(file, "seal.vendor_id") ?? 0xCAFE,
            productID: try usbID(file, "seal.product_id") ?? 0x4010,
            location: try file.string("seal.location") ?? deviceLocation,
            photoMode: photoMode,
            photosAfterUse: photos,
            watchdogMilliseconds: try file.integer("seal.watchdog_ms", in: 300...60_000) ?? 3000
        )
    }

    /// A USB id as written by lsusb: 4 hex digits in quotes ("cafe").
    private static func usbID(_ file: ConfigFile, _ key: String) throws(ConfigError) -> UInt16? {
        guard let text = try file.string(key) else { return nil }
        guard (1...4).contains(text.count), let value = UInt16(text, radix: 16) else {
            throw .invalid(key: key, "\(text) must be 1-4 hex digits, as lsusb shows it (e.g. \"cafe\")")
        }
        return value
    }
}
