import Crypto
import Foundation
import Protocol
import X509

/// The server's TLS files: `<data>/tls/`, mode 0700, holding
///
///     ca.pem       the CA certificate agents trust (server.ca_file), 0644
///     ca.key       the CA's P-256 key (PKCS#8 PEM), 0600; needed only to issue server certificates
///     server.pem   the server certificate (and any intermediates after it), 0644
///     server.key   the server's P-256 key (PKCS#8 PEM), 0600
///
/// Key files and the folder must not be usable by group or others and must belong to the
/// server's user; anything else is refused with the `chmod` that fixes it.
public struct TLSDirectory: Sendable {
    public static let folderName = "tls"
    /// Server certificates: `--days`, default 825 (the most browsers accepted for a long time).
    public static let defaultServerDays = 825
    public static let serverDaysRange = 1...3650
    /// The CA outlives many server certificates, so agents rarely need a new `ca.pem`.
    public static let defaultCADays = 3650
    public static let caDaysRange = 1...7300
    /// Certificates start an hour in the past, so a device whose clock is a little behind the
    /// server's does not refuse a certificate issued a moment ago.
    static let backdateMilliseconds: Int64 = 3_600_000

    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.folderName
    }

    public init(path: String) {
        self.path = path
    }

    public var caCertificateFile: String { path + "/ca.pem" }
    public var caKeyFile: String { path + "/ca.key" }
    public var serverCertificateFile: String { path + "/server.pem" }
    public var serverKeyFile: String { path + "/server.key" }

    /// What `initialize` or `renewServer` made.
    public struct Issued: Hashable, Sendable {
        public let ca: TLSCertificateSummary
        public let server: TLSCertificateSummary
        /// The files written, in the order written.
        public let files: [String]
    }

    /// Creates a CA and a server certificate signed by it. Refuses when any of the four files
    /// exists, unless `force` (agents trusting the old CA then refuse the server until they
    /// get the new `ca.pem`).
    @discardableResult
    public func initialize(
        names: TLSServerNames, serverDays: Int = defaultServerDays, caDays: Int = defaultCADays,
        force: Bool = false, now: Timestamp
    ) throws(TLSError) -> Issued {
        try Self.check(days: serverDays, option: "days", allowed: Self.serverDaysRange)
        try Self.check(days: caDays, option: "ca-days", allowed: Self.caDaysRange)
        if !force, let existing = [caCertificateFile, caKeyFile, serverCertificateFile, serverKeyFile].first(where: TLSFileIO.exists) {
            throw .alreadyInitialized(path: existing)
        }
        try TLSFileIO.ensurePrivateFolder(path)
        let start = now.adding(milliseconds: -Self.backdateMilliseconds)
        let caKey = P256.Signing.PrivateKey()
        let ca = try TLSCertificateFactory.certificateAuthority(
            key: caKey, commonName: "Imprimatur server CA \(TimeText.iso8601(now))",
            serialNumber: TLSCertificateFactory.randomSerialNumber(),
            notValidBefore: start, notValidAfter: now.adding(milliseconds: Int64(caDays) * 86_400_000)
        )
        // The server certificate is built before anything is written, so bad input leaves the
        // folder as it was.
        let (serverKey, server) = try issueServer(names: names, days: serverDays, now: now, ca: ca, caKey: caKey)
        try TLSFileIO.writeAtomically(caKey.pemRepresentation, to: caKeyFile, mode: 0o600)
        try TLSFileIO.writeAtomically(try Self.pem(ca), to: caCertificateFile, mode: 0o644)
        try writeServer(key: serverKey, certificate: server)
        return Issued(
            ca: try TLSCertificateSummary(ca), server: try TLSCertificateSummary(server),
            files: [caKeyFile, caCertificateFile, serverKeyFile, serverCertificateFile]
        )
    }

    /// Issues a new server key and certificate with the existing CA: agents keep trusting the
    /// server without a new `ca.pem`. With `names` nil, the current server certificate's names
    /// are kept (the defaults if there is none).
    @discardableResult
    public func renewServer(names: TLSServerNames?, days: Int = defaultServerDays, now: Timestamp) throws(TLSError) -> Issued {
        try Self.check(days: days, option: "days", allowed: Self.serverDaysRange)
        for file in [caCertificateFile, caKeyFile] where !TLSFileIO.exists(file) {
            throw .missing(path: file, hint: "--renew-server needs the CA; create one with: imprimatur-server tls init")
        }
        try TLSFileIO.checkPrivate(path, expected: 0o700)
        let ca = try Self.certificates(in: caCertificateFile)[0]
        let caKey = try readCAKey()
        guard Certificate.PublicKey(caKey.publicKey) == ca.publicKey else {
            throw .keyDoesNotMatchCertificate(key: caKeyFile, certificate: caCertificateFile)
        }
        let chosen: TLSServerNames
        if let names {
            chosen = names
        } else if TLSFileIO.exists(serverCertificateFile) {
            chosen = try TLSCertificateSummary(try Self.certificates(in: serverCertificateFile)[0]).names
        } else {
            chosen = try TLSServerNames(dnsNames: [], ipAddresses: [])
        }
        let (serverKey, server) = try issueServer(names: chosen, days: days, now: now, ca: ca, caKey: caKey)
        try writeServer(key: serverKey, certificate: server)
        return Issued(ca: try TLSCertificateSummary(ca), server: try TLSCertificateSummary(server), files: [serverKeyFile, serverCertificateFile])
    }

    /// The CA and server certificates that exist (nil for a missing file), for `tls show`.
    public func summaries() throws(TLSError) -> (ca: TLSCertificateSummary?, server: TLSCertificateSummary?) {
        let ca = TLSFileIO.exists(caCertificateFile) ? try TLSCertificateSummary(try Self.certificates(in: caCertificateFile)[0]) : nil
        let server = TLSFileIO.exists(serverCertificateFile) ? try TLSCertificateSummary(try Self.certificates(in: serverCertificateFile)[0]) : nil
        return (ca, server)
    }

    /// What the server needs to serve TLS, checked so that a problem shows at start rather
    /// than as handshake failures on every agent: the key is private and matches the
    /// certificate, the certificate is valid at `now`, and (when `ca.pem` is there) it was
    /// issued by that CA.
    public func loadServerIdentity(now: Timestamp) throws(TLSError) -> TLSServerIdentity {
        for file in [serverCertificateFile, serverKeyFile] where !TLSFileIO.exists(file) {
            throw .missing(path: file, hint: "create it with: imprimatur-server tls init --data DIR --host NAME --ip ADDRESS")
        }
        try TLSFileIO.checkPrivate(path, expected: 0o700)
        try TLSFileIO.checkPrivate(serverKeyFile, expected: 0o600)
        let chain = try Self.certificates(in: serverCertificateFile)
        let keyPEM = try TLSFileIO.read(serverKeyFile)
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyPEM) } catch {
            throw .malformed(path: serverKeyFile, reason: "not a PEM private key (\(error))")
        }
        guard key.publicKey == chain[0].publicKey else {
            throw .keyDoesNotMatchCertificate(key: serverKeyFile, certificate: serverCertificateFile)
        }
        if TLSFileIO.exists(caCertificateFile) {
            let ca = try Self.certificates(in: caCertificateFile)[0]
            let issued = chain.contains { $0.issuer == ca.subject && ca.publicKey.isValidSignature($0.signature, for: $0) }
            guard issued else { throw .notIssuedByCA(certificate: serverCertificateFile, ca: caCertificateFile) }
        }
        let summary = try TLSCertificateSummary(chain[0])
        guard now <= summary.notValidAfter else {
            throw .expired(path: serverCertificateFile, notValidAfter: TimeText.iso8601(summary.notValidAfter))
        }
        guard now >= summary.notValidBefore else {
            throw .notYetValid(path: serverCertificateFile, notValidBefore: TimeText.iso8601(summary.notValidBefore))
        }
        return TLSServerIdentity(certificateChainPEM: try chain.map(Self.pem), privateKeyPEM: keyPEM, summary: summary)
    }

    // MARK: Helpers

    private func issueServer(
        names: TLSServerNames, days: Int, now: Timestamp, ca: Certificate, caKey: P256.Signing.PrivateKey
    ) throws(TLSError) -> (P256.Signing.PrivateKey, Certificate) {
        let key = P256.Signing.PrivateKey()
        let certificate = try TLSCertificateFactory.serverCertificate(
            key: key.publicKey, names: names, serialNumber: TLSCertificateFactory.randomSerialNumber(),
            notValidBefore: now.adding(milliseconds: -Self.backdateMilliseconds),
            notValidAfter: now.adding(milliseconds: Int64(days) * 86_400_000), issuer: ca, issuerKey: caKey
        )
        return (key, certificate)
    }

    /// Key first: a crash between the two renames leaves a new key with the old certificate,
    /// which `loadServerIdentity` refuses by name rather than serving something half-done.
    private func writeServer(key: P256.Signing.PrivateKey, certificate: Certificate) throws(TLSError) {
        try TLSFileIO.writeAtomically(key.pemRepresentation, to: serverKeyFile, mode: 0o600)
        try TLSFileIO.writeAtomically(try Self.pem(certificate), to: serverCertificateFile, mode: 0o644)
    }

    private func readCAKey() throws(TLSError) -> P256.Signing.PrivateKey {
        try TLSFileIO.checkPrivate(caKeyFile, expected: 0o600)
        let text = try TLSFileIO.read(caKeyFile)
        do { return try P256.Signing.PrivateKey(pemRepresentation: text) } catch {
            throw .malformed(path: caKeyFile, reason: "not a P-256 private key in PEM")
        }
    }

    private static func check(days: Int, option: String, allowed: ClosedRange<Int>) throws(TLSError) {
        guard allowed.contains(days) else { throw .invalidValidity(option: option, days: days, allowed: allowed) }
    }

    static func pem(_ certificate: Certificate) throws(TLSError) -> String {
        do { return try certificate.serializeAsPEM().pemString + "\n" } catch {
            throw .certificate(reason: "cannot encode as PEM: \(error)")
        }
    }

    /// Every `CERTIFICATE` block in a PEM file, in order; at least one.
    static func certificates(in file: String) throws(TLSError) -> [Certificate] {
        let certificates = try parseCertificates(try TLSFileIO.read(file), file: file)
        guard !certificates.isEmpty else { throw .malformed(path: file, reason: "no CERTIFICATE block") }
        return certificates
    }

    static func parseCertificates(_ text: String, file: String) throws(TLSError) -> [Certificate] {
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var certificates: [Certificate] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin) {
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else {
                throw .malformed(path: file, reason: "a CERTIFICATE block has no END line")
            }
            do { certificates.append(try Certificate(pemEncoded: String(rest[start.lowerBound..<stop.upperBound]))) } catch {
                throw .malformed(path: file, reason: "certificate \(certificates.count + 1) does not parse (\(error))")
            }
            rest = rest[stop.upperBound...]
        }
        return certificates
    }
}

/// The server certificate chain and key, checked, as PEM text for NIOSSL.
public struct TLSServerIdentity: Sendable {
    /// The server certificate first, then any intermediates.
    public let certificateChainPEM: [String]
    public let privateKeyPEM: String
    public let summary: TLSCertificateSummary
}
