import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Protocol

/// HTTPS and WSS for the server, from the files `tls init` made in `<data>/tls/`.
///
/// Wrap whatever HTTP server builder the server uses, so the WebSocket uplink gets TLS too:
///
///     let server = try ServerTLS.serverBuilder(wrapping: .http1WebSocketUpgrade(webSocketRouter: router), dataDirectory: data)
///     try await ServerRunner.run(services, router: router, host: host, port: port, server: server)
public enum ServerTLS {
    /// NIOSSL's server configuration: the chain and key from `<data>/tls/`, TLS 1.2 or newer,
    /// no client certificates (agents prove who they are by signing the uplink's challenge).
    public static func configuration(dataDirectory: String, now: Timestamp = SystemClock().now()) throws(TLSError) -> TLSConfiguration {
        try configuration(identity: TLSDirectory(dataDirectory: dataDirectory).loadServerIdentity(now: now))
    }

    public static func configuration(identity: TLSServerIdentity) throws(TLSError) -> TLSConfiguration {
        do {
            let chain = try identity.certificateChainPEM.map { NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: Array($0.utf8), format: .pem)) }
            let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        } catch {
            throw .certificate(reason: "NIOSSL refused the server certificate or key: \(error)")
        }
    }

    /// `base` (`.http1()`, or the WebSocket upgrade builder) behind TLS with the data folder's
    /// server certificate. Throws, naming the file and the fix, when the files are missing,
    /// readable by others, mismatched or expired.
    public static func serverBuilder(wrapping base: HTTPServerBuilder = .http1(), dataDirectory: String, now: Timestamp = SystemClock().now()) throws -> HTTPServerBuilder {
        try .tls(base, tlsConfiguration: configuration(dataDirectory: dataDirectory, now: now))
    }

    public static func serverBuilder(wrapping base: HTTPServerBuilder = .http1(), identity: TLSServerIdentity) throws -> HTTPServerBuilder {
        try .tls(base, tlsConfiguration: configuration(identity: identity))
    }
}
