/// A firmware image as the vendor ships it: a manifest, an optional vendor signature over it,
/// and the payload. Decoding checks the shape only (magic, format version, lengths, canonical
/// encoding); whether the image may be installed is `FirmwareImageCheck`'s decision.
///
/// Wire (docs/firmware.md, all big-endian):
/// ```
/// magic "IMFW" (4) | format version u8 = 1 | manifest (57)
/// | signature presence u8 (0 unsigned, 1 signed) | [vendor key id (8) | Ed25519 signature (64)]
/// | payload (manifest.payloadSize bytes)
/// ```
/// The signature covers magic, format version and manifest (`signedBytes`); the payload is
/// bound through the manifest's SHA-256. Putting the payload last lets a device check the
/// header before it has the payload, and lets `image sign` sign without touching the payload.
public struct FirmwareImage: Hashable, Sendable {
    public static let magic: [UInt8] = Array("IMFW".utf8)
    public static let formatVersion: UInt8 = 1
    /// Magic, format version and manifest: the bytes the vendor signs.
    public static let signedByteCount = magic.count + 1 + FirmwareManifest.byteCount
    /// The header of an unsigned image, and of a signed one.
    public static let unsignedHeaderSize = signedByteCount + 1
    public static let signedHeaderSize = unsignedHeaderSize + KeyID.byteCount + Signature.byteCount
    /// The largest image that can decode.
    public static let maximumSize = signedHeaderSize + FirmwareManifest.maximumPayloadSize

    public let manifest: FirmwareManifest
    public let signature: VendorSignature?
    public let payload: [UInt8]

    /// An image whose payload may not match its manifest yet (`FirmwareImageCheck` reports a hash
    /// mismatch); only the size must match, since the size decides where the payload ends.
    public init(manifest: FirmwareManifest, signature: VendorSignature?, payload: [UInt8]) throws(WireError) {
        guard payload.count == Int(manifest.payloadSize) else {
            throw .invalidValue(field: "payload", reason: "\(payload.count) byte(s), the manifest says \(manifest.payloadSize)")
        }
        self.manifest = manifest
        self.signature = signature
        self.payload = payload
    }

    /// An unsigned image of `payload` (`firmware-sim image build`).
    public init(
        model: ResourceType, version: FirmwareVersion, minimumVersion: FirmwareVersion,
        payload: [UInt8], buildTime: Timestamp
    ) throws(WireError) {
        let manifest = try FirmwareManifest(model: model, version: version, minimumVersion: minimumVersion, payload: payload, buildTime: buildTime)
        try self.init(manifest: manifest, signature: nil, payload: payload)
    }

    /// The bytes a vendor signature covers.
    public var signedBytes: [UInt8] { Self.signedBytes(of: manifest) }

    static func signedBytes(of manifest: FirmwareManifest) -> [UInt8] {
        var writer = ByteWriter(capacity: signedByteCount)
        writer.raw(magic)
        writer.u8(formatVersion)
        writer.encode(manifest)
        return writer.bytes
    }

    /// This image signed by `key`, replacing any earlier signature (`firmware-sim image sign`).
    public func signed(by key: SigningKey) -> FirmwareImage {
        // The payload already matched the manifest's size, so this cannot throw.
        try! FirmwareImage(
            manifest: manifest,
            signature: VendorSignature(keyID: key.keyID, signature: key.sign(signedBytes)),
            payload: payload
        )
    }

    /// Decodes a whole image file; any byte before, after or inside that is not canonical is
    /// refused with the field it was found in.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> FirmwareImage {
        guard bytes.count <= maximumSize else {
            throw .tooLong(field: "firmware image", length: bytes.count, limit: maximumSize)
        }
        return try FirmwareImage(wireBytes: bytes)
    }

    /// Just the header (everything before the payload), for a device that checks an image
    /// before it has all of it. Returns the manifest, the signature and the header's length.
    public static func decodeHeader(_ bytes: [UInt8]) throws(WireError) -> (manifest: FirmwareManifest, signature: VendorSignature?, headerSize: Int) {
        var reader = ByteReader(bytes)
        let (manifest, signature) = try readHeader(&reader)
        return (manifest, signature, reader.offset)
    }

    private static func readHeader(_ reader: inout ByteReader) throws(WireError) -> (FirmwareManifest, VendorSignature?) {
        let found = try reader.raw("firmware magic", count: magic.count)
        guard found == magic else {
            throw .invalidValue(field: "firmware magic", reason: "expected \"IMFW\" (\(Hex.encode(magic))), got \(Hex.encode(found)): not a firmware image")
        }
        let format = try reader.u8("firmware format version")
        guard format == formatVersion else {
            throw .invalidValue(field: "firmware format version", reason: "this device reads format \(formatVersion), the image is format \(format)")
        }
        let manifest: FirmwareManifest = try reader.decode()
        let signature: VendorSignature? = try reader.optional("signature")
        return (manifest, signature)
    }
}

extension FirmwareImage: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.raw(Self.magic)
        writer.u8(Self.formatVersion)
        writer.encode(manifest)
        writer.optional(signature)
        writer.raw(payload)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let (manifest, signature) = try Self.readHeader(&reader)
        let payload = try reader.raw("payload", count: Int(manifest.payloadSize))
        try self.init(manifest: manifest, signature: signature, payload: payload)
    }
}

/// A vendor's Ed25519 signature over an image's `signedBytes`, and the id of the key that made it.
public struct VendorSignature: Hashable, Sendable {
    public let keyID: KeyID
    public let signature: Signature

    public init(keyID: KeyID, signature: Signature) {
        self.keyID = keyID
        self.signature = signature
    }
}

extension VendorSignature: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(keyID)
        writer.encode(signature)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        keyID = try KeyID(bytes: try reader.raw("vendor key id", count: KeyID.byteCount))
        signature = try Signature(bytes: try reader.raw("vendor signature", count: Signature.byteCount))
    }
}
