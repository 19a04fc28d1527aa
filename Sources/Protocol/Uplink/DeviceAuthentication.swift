/// How a device proves, on a new uplink connection, that it holds its enrolled device key
/// (docs/protocol-uplink.md, "Authentication").
///
/// The device signs `label || nonce || device id || server id` (the ids in their canonical
/// encodings, a length byte then the characters), so a proof answers one challenge, from one
/// server, for one device, and nothing else.
public enum DeviceAuthentication {
    /// The domain-separation label: ASCII, no length and no terminator.
    public static let label: [UInt8] = Array("imprimatur-uplink-auth-v1".utf8)

    /// The exact bytes the device key signs.
    public static func signedBytes(nonce: UplinkMessage.AuthNonce, deviceID: DeviceID, serverID: ServerID) -> [UInt8] {
        var writer = ByteWriter(capacity: label.count + UplinkMessage.AuthNonce.byteCount + 2 * 65)
        writer.raw(label)
        writer.encode(nonce)
        writer.encode(deviceID)
        writer.encode(serverID)
        return writer.bytes
    }

    /// The device's answer to a challenge.
    public static func proof(nonce: UplinkMessage.AuthNonce, deviceID: DeviceID, serverID: ServerID, key: SigningKey) -> UplinkMessage.AuthProof {
        UplinkMessage.AuthProof(signature: key.sign(signedBytes(nonce: nonce, deviceID: deviceID, serverID: serverID)))
    }

    /// True when `proof` is the enrolled key's signature over this challenge, this device and
    /// this server.
    public static func verify(
        _ proof: UplinkMessage.AuthProof, nonce: UplinkMessage.AuthNonce, deviceID: DeviceID, serverID: ServerID, publicKey: PublicKey
    ) -> Bool {
        publicKey.isValidSignature(proof.signature, for: signedBytes(nonce: nonce, deviceID: deviceID, serverID: serverID))
    }
}
