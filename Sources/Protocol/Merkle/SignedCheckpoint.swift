/// A checkpoint and the device's Ed25519 signature over the label `imprimatur-checkpoint-v1`
/// followed by the checkpoint's canonical bytes. Encoded as the checkpoint's bytes, then the
/// 64-byte signature.
public struct SignedCheckpoint: Hashable, Sendable {
    public static let signatureLabel = "imprimatur-checkpoint-v1"

    public let checkpoint: Checkpoint
    public let signature: Signature

    /// Pairs a checkpoint with a signature as received; nothing is checked until `verify`.
    public init(checkpoint: Checkpoint, signature: Signature) {
        self.checkpoint = checkpoint
        self.signature = signature
    }

    /// Signs `checkpoint` with the device key it names.
    public init(signing checkpoint: Checkpoint, with key: SigningKey) throws(CheckpointError) {
        guard key.keyID == checkpoint.keyID else {
            throw .keyIDMismatch(checkpoint: checkpoint.keyID, key: key.keyID)
        }
        self.init(checkpoint: checkpoint, signature: key.sign(Self.signedMessage(for: checkpoint)))
    }

    /// The exact bytes the signature covers.
    public static func signedMessage(for checkpoint: Checkpoint) -> [UInt8] {
        Array(signatureLabel.utf8) + checkpoint.wireBytes()
    }

    /// Checks that `devicePublicKey` signed this checkpoint and that it is about `device`;
    /// returns the checkpoint, which can be trusted from then on.
    @discardableResult
    public func verify(devicePublicKey: PublicKey, device: DeviceID) throws(CheckpointError) -> Checkpoint {
        guard checkpoint.keyID == devicePublicKey.keyID else {
            throw .keyIDMismatch(checkpoint: checkpoint.keyID, key: devicePublicKey.keyID)
        }
        guard devicePublicKey.isValidSignature(signature, for: Self.signedMessage(for: checkpoint)) else {
            throw .badSignature
        }
        guard checkpoint.deviceID == device else {
            throw .wrongDevice(expected: device, found: checkpoint.deviceID)
        }
        return checkpoint
    }

    /// `verify(devicePublicKey:device:)`, then that the log only grew since `previous` (a
    /// checkpoint verified earlier), proved by `consistencyProof`.
    @discardableResult
    public func verify(
        devicePublicKey: PublicKey, device: DeviceID, extending previous: Checkpoint, consistencyProof: [Hash32]
    ) throws(CheckpointError) -> Checkpoint {
        let verified = try verify(devicePublicKey: devicePublicKey, device: device)
        try verified.verifyExtends(previous, consistencyProof: consistencyProof)
        return verified
    }
}

extension SignedCheckpoint: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(checkpoint)
        writer.encode(signature)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(checkpoint: try reader.decode(), signature: try reader.decode())
    }
}
