/// The maximum of every variable-length field in the uplink messages (docs/protocol-uplink.md,
/// "Limits"). Decoders check each length against these before reading or allocating, so a peer
/// cannot make the other side reserve memory it announced but never sent.
public enum UplinkLimits {
    /// Frame header plus payload, as accepted by default by `UplinkFrameDecoder`. Large enough for
    /// the largest single-token message (a 1 MiB revocation list); event batches and limit
    /// updates must be split by the sender to fit.
    public static let defaultMaximumFrameSize = 1 << 21

    /// `hello`: agent software version, UTF-8.
    public static let agentVersionLength = 64
    /// `hello`: protocol versions the agent speaks.
    public static let supportedVersionCount = 16
    /// `hello`: key ids of server keys the agent already trusts.
    public static let trustedKeyCount = 16
    /// `serverKeys`: keys per message.
    public static let serverKeyCount = 16

    /// `grantRequest`: card number, printable ASCII.
    public static let cardNumberLength = 64
    /// `grantRequest`: PIN, printable ASCII.
    public static let pinLength = 16

    /// `grant`, `limitUpdate`, `checkpoint`: one signed token.
    public static let grantTokenSize = 4096
    /// `limitUpdate`: tokens per message.
    public static let limitTokenCount = 4096
    /// `checkpoint`: one signed checkpoint token.
    public static let checkpointTokenSize = 4096
    /// `revocationList`: the signed list.
    public static let revocationListSize = 1 << 20
    /// `auditHead`: one signed audit head token (123 bytes today).
    public static let auditHeadSize = 4096

    /// `eventBatch`: events per batch.
    public static let eventBatchCount = 10_000
    /// `eventBatch`: one canonical event encoding.
    public static let eventSize = 1 << 16

    /// Person-readable text in `refusal`, `authResult`, `error`, `firmwareStatus`, UTF-8 bytes.
    public static let textLength = 1024

    /// `blobOffer`: media type such as `image/jpeg` (`MediaType`, shared with the events).
    public static let mediaTypeLength = MediaType.maximumLength
    /// `blobOffer`: a photo or a scan.
    public static let blobSize: UInt64 = 1 << 30
    /// `firmwareOffer`: a firmware image.
    public static let firmwareImageSize: UInt64 = 64 << 20
    /// `blobChunk`, `firmwareChunk`: data per chunk.
    public static let chunkSize = 512 << 10
}
