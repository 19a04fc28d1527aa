/// What a firmware image claims about itself: which device it is for, its version, the lowest
/// version it may replace, and the size and SHA-256 of its payload. The vendor signature covers
/// these bytes (with the image's magic and format version), and the payload hash binds the
/// payload to them, so one signature check authenticates the whole image.
///
/// Wire (docs/firmware.md): model u8, version (6), minimum version (6), payload size u32,
/// payload SHA-256 (32), build time i64 ms — 57 bytes.
public struct FirmwareManifest: Hashable, Sendable {
    public static let byteCount = 1 + FirmwareVersion.byteCount * 2 + 4 + Hash32.byteCount + 8

    /// The largest payload an image may carry: far above any simulated firmware, well inside the
    /// uplink's 64 MiB image limit and the seal's and copier's slot sizes.
    public static let maximumPayloadSize = 16 << 20

    /// Copier controller or seal.
    public let model: ResourceType
    public let version: FirmwareVersion
    /// The lowest running version this image may replace. A device that confirms this image
    /// raises its stored minimum to at least this, so it never goes back below it.
    public let minimumVersion: FirmwareVersion
    public let payloadSize: UInt32
    public let payloadSHA256: Hash32
    public let buildTime: Timestamp

    public init(
        model: ResourceType, version: FirmwareVersion, minimumVersion: FirmwareVersion,
        payloadSize: UInt32, payloadSHA256: Hash32, buildTime: Timestamp
    ) throws(WireError) {
        guard minimumVersion <= version else {
            throw .invalidValue(field: "minimum version", reason: "\(minimumVersion) is above the image's own version \(version)")
        }
        guard (1...UInt32(Self.maximumPayloadSize)).contains(payloadSize) else {
            throw .invalidValue(field: "payload size", reason: "\(payloadSize) is not between 1 and \(Self.maximumPayloadSize)")
        }
        guard buildTime.millisecondsSinceEpoch >= 0 else {
            throw .invalidValue(field: "build time", reason: "before 1970")
        }
        self.model = model
        self.version = version
        self.minimumVersion = minimumVersion
        self.payloadSize = payloadSize
        self.payloadSHA256 = payloadSHA256
        self.buildTime = buildTime
    }

    /// The manifest of `payload`, with its size and hash computed here so they cannot disagree.
    public init(
        model: ResourceType, version: FirmwareVersion, minimumVersion: FirmwareVersion,
        payload: [UInt8], buildTime: Timestamp
    ) throws(WireError) {
        guard payload.count <= Self.maximumPayloadSize else {
            throw .tooLong(field: "payload", length: payload.count, limit: Self.maximumPayloadSize)
        }
        try self.init(
            model: model, version: version, minimumVersion: minimumVersion,
            payloadSize: UInt32(payload.count), payloadSHA256: .sha256(payload), buildTime: buildTime
        )
    }
}

extension FirmwareManifest: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(model)
        writer.encode(version)
        writer.encode(minimumVersion)
        writer.u32(payloadSize)
        writer.encode(payloadSHA256)
        writer.i64(buildTime.millisecondsSinceEpoch)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let model: ResourceType = try reader.decode()
        let version: FirmwareVersion = try reader.decode()
        // Read under its own name, so a cut-short minimum version says so.
        let minimum = FirmwareVersion(
            major: try reader.u16("minimum version major"),
            minor: try reader.u16("minimum version minor"),
            patch: try reader.u16("minimum version patch")
        )
        try self.init(
            model: model, version: version, minimumVersion: minimum,
            payloadSize: try reader.u32("payload size"),
            payloadSHA256: try Hash32(from: &reader, field: "payload SHA-256"),
            buildTime: Timestamp(millisecondsSinceEpoch: try reader.i64("build time"))
        )
    }
}
