/// Content the server signs and ships as a token: access grant claims, limit grants and
/// revocation lists. Each names its own signature label, so a signature made for one can never
/// be passed off as another.
public protocol SignedTokenContent: WireCodable, Hashable, Sendable {
    /// The domain-separation label signed before the content bytes.
    static var signatureLabel: String { get }
    /// The name decoding errors use for the content field (`grant claims`, ...).
    static var tokenField: String { get }
    /// The width of the content's length prefix in the token.
    static var lengthPrefix: LengthPrefix { get }
    /// The largest content encoding; a longer length prefix is refused before reading.
    static var maximumContentLength: Int { get }
    /// The key that signs the content.
    var keyID: KeyID { get }
    /// When the server made the content; a retired key only verifies content made before it retired.
    var issuedAt: Timestamp { get }
}

/// Content plus the server's Ed25519 signature over `label || content bytes`.
///
/// Token encoding: content bytes with a length prefix (`bytes<u16>` for grants and limit
/// grants, `bytes<u32>` for revocation lists), then the 64-byte signature.
///
/// The content bytes are kept exactly as received, already preceded by the label, so checking
/// the signature hashes what was signed with no re-encoding and no further copy.
public struct SignedToken<Content: SignedTokenContent>: Hashable, Sendable {
    public let content: Content
    public let signature: Signature
    /// `label || content bytes`: the exact message the signature covers.
    let signedMessage: [UInt8]

    private init(content: Content, signature: Signature, signedMessage: [UInt8]) {
        self.content = content
        self.signature = signature
        self.signedMessage = signedMessage
    }

    /// Encodes `content` and signs `label || content bytes` with `key`.
    ///
    /// `content` must name `key` (its `keyID`); a token whose key id names another key could
    /// never verify, so that mismatch is a programming error and traps.
    public static func sign(_ content: Content, with key: SigningKey) -> SignedToken {
        precondition(content.keyID == key.keyID, "content names key \(content.keyID), signed with \(key.keyID)")
        var writer = ByteWriter(capacity: Content.signatureLabel.utf8.count + 256)
        writer.raw(Content.signatureLabel.utf8)
        content.encode(to: &writer)
        let message = writer.bytes
        precondition(message.count - Content.signatureLabel.utf8.count <= Content.maximumContentLength)
        return SignedToken(content: content, signature: key.sign(message), signedMessage: message)
    }

    /// The canonical content bytes the signature covers (after the label).
    public var contentBytes: ArraySlice<UInt8> {
        signedMessage[Content.signatureLabel.utf8.count...]
    }

    /// True when `signature` verifies under `key` over `label || content bytes`.
    public func isSignatureValid(for key: PublicKey) -> Bool {
        key.isValidSignature(signature, for: signedMessage)
    }

    public static func == (lhs: SignedToken, rhs: SignedToken) -> Bool {
        lhs.signedMessage == rhs.signedMessage && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signedMessage)
        hasher.combine(signature)
    }
}

extension SignedToken: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.bytes(contentBytes, Content.lengthPrefix)
        writer.encode(signature)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        let field = Content.tokenField
        let length = try reader.length(field, Content.lengthPrefix, limit: Content.maximumContentLength)
        // `length` checked that the content bytes are all present.
        let start = reader.offset
        let label = Content.signatureLabel.utf8
        var message: [UInt8] = []
        message.reserveCapacity(label.count + length)
        message.append(contentsOf: label)
        message.append(contentsOf: reader.bytes[start..<start + length])

        var contentReader = ByteReader(message, range: label.count..<message.count)
        content = try Content(from: &contentReader)
        guard contentReader.isAtEnd else {
            throw .invalidValue(field: field, reason: "\(contentReader.remaining) byte(s) after the end of the content")
        }
        // ByteReader has no skip: re-seat it just past the content, sharing the same storage.
        reader = ByteReader(reader.bytes, range: start + length..<reader.end)
        signature = try reader.decode()
        signedMessage = message
    }
}

/// An access grant as the agent receives it.
public typealias SignedGrant = SignedToken<GrantClaims>

extension SignedToken where Content == GrantClaims {
    public var claims: GrantClaims { content }
}
