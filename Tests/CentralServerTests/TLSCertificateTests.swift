import Crypto
import Foundation
import Protocol
import Testing
import X509
@testable import CentralServer

/// The certificates `tls init` builds, read back with swift-certificates: what a TLS client
/// checks is what was asked for.
@Suite("TLS certificates")
struct TLSCertificateTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let day: Int64 = 86_400_000

    static func makeCA(days: Int64 = 3650, from start: Timestamp = now) throws -> (P256.Signing.PrivateKey, Certificate) {
        let key = P256.Signing.PrivateKey()
        let ca = try TLSCertificateFactory.certificateAuthority(
            key: key, commonName: "Test CA", serialNumber: Certificate.SerialNumber(bytes: [0x01, 0x02]),
            notValidBefore: start, notValidAfter: start.adding(milliseconds: days * day)
        )
        return (key, ca)
    }

    static func makeServer(
        names: TLSServerNames, ca: (P256.Signing.PrivateKey, Certificate), days: Int64 = 825, from start: Timestamp = now
    ) throws -> Certificate {
        try TLSCertificateFactory.serverCertificate(
            key: P256.Signing.PrivateKey().publicKey, names: names, serialNumber: Certificate.SerialNumber(bytes: [0x07]),
            notValidBefore: start, notValidAfter: start.adding(milliseconds: days * day), issuer: ca.1, issuerKey: ca.0
        )
    }

    /// Through PEM and back, as a client reads it.
    static func reparsed(_ certificate: Certificate) throws -> Certificate {
        try Certificate(pemEncoded: try certificate.serializeAsPEM().pemString)
    }

    @Test func theCAIsACriticalPathLengthZeroCAForSigningCertificatesOnly() throws {
        let (key, built) = try Self.makeCA()
        let ca = try Self.reparsed(built)
        #expect(ca.subject == ca.issuer)
        #expect(ca.subject.description.contains("CN=Test CA"))
        #expect(ca.publicKey == Certificate.PublicKey(key.publicKey))
        #expect(ca.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        #expect(ca.serialNumber == Certificate.SerialNumber(bytes: [0x01, 0x02]))
        #expect(ca.notValidBefore == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(ca.notValidAfter == Date(timeIntervalSince1970: 1_700_000_000 + 3650 * 86_400))

        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(ca.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        let usage = try #require(try ca.extensions.keyUsage)
        #expect(usage == KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(ca.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try ca.extensions.subjectKeyIdentifier == SubjectKeyIdentifier(hash: ca.publicKey))
        #expect(try ca.extensions.subjectAlternativeNames == nil)
        #expect(try ca.extensions.extendedKeyUsage == nil)
    }

    @Test func theServerCertificateHasTheNamesAndUsagesAsked() throws {
        let authority = try Self.makeCA()
        let names = try TLSServerNames(dnsNames: ["Hub.Example.org", "localhost", "hub.example.org"], ipAddresses: ["10.0.0.5", "::1"])
        let server = try Self.reparsed(try Self.makeServer(names: names, ca: authority))
        let ca = authority.1

        let alternativeNames = try #require(try server.extensions.subjectAlternativeNames)
        #expect(Array(alternativeNames) == [
            .dnsName("hub.example.org"), .dnsName("localhost"),
            .ipAddress(.init(contentBytes: [10, 0, 0, 5])), .ipAddress(.init(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1]))),
        ])
        #expect(try server.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        #expect(try server.extensions.keyUsage == KeyUsage(digitalSignature: true))
        #expect(server.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
        #expect(server.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        #expect(try server.extensions.authorityKeyIdentifier?.keyIdentifier == ca.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(server.issuer == ca.subject)
        #expect(server.subject.description.contains("CN=hub.example.org"))
        #expect(ca.publicKey.isValidSignature(server.signature, for: server))
        #expect(server.notValidAfter == Date(timeIntervalSince1970: 1_700_000_000 + 825 * 86_400))

        let summary = try TLSCertificateSummary(server)
        #expect(summary.dnsNames == ["hub.example.org", "localhost"])
        #expect(summary.ipAddresses.map(\.description) == ["10.0.0.5", "::1"])
        #expect(!summary.isCertificateAuthority)
        #expect(summary.names == names)
    }

    /// swift-certificates' own RFC 5280 verifier, as a client trusting only the CA would check.
    @Test func anRFC5280VerifierTrustingTheCAAcceptsItForItsNamesOnly() async throws {
        // The policy checks validity against the current time.
        let now = SystemClock().now()
        let authority = try Self.makeCA(from: now)
        let server = try Self.makeServer(names: try TLSServerNames(dnsNames: ["hub.example.org"], ipAddresses: ["10.0.0.5"]), ca: authority, from: now)
        func verify(host: String?, ip: String?, roots: [Certificate]) async -> Bool {
            var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: host, serverIP: ip)
            }
            if case .validCertificate = await verifier.validate(leaf: server, intermediates: CertificateStore()) { return true }
            return false
        }
        #expect(await verify(host: "hub.example.org", ip: nil, roots: [authority.1]))
        #expect(await verify(host: nil, ip: "10.0.0.5", roots: [authority.1]))
        #expect(!(await verify(host: "other.example.org", ip: nil, roots: [authority.1])))
        #expect(!(await verify(host: nil, ip: "10.0.0.6", roots: [authority.1])))
        #expect(!(await verify(host: "hub.example.org", ip: nil, roots: [try Self.makeCA(from: now).1])))
    }

    @Test func aServerCertificateMayNotOutliveItsCAOrEndBeforeItStarts() throws {
        let authority = try Self.makeCA(days: 30)
        let names = try TLSServerNames(dnsNames: [], ipAddresses: [])
        #expect(throws: TLSError.outlivesCA(serverNotValidAfter: "2023-12-15T22:13:20Z", caNotValidAfter: "2023-12-14T22:13:20Z")) {
            try Self.makeServer(names: names, ca: authority, days: 31)
        }
        #expect(try Self.makeServer(names: names, ca: authority, days: 30).notValidAfter == authority.1.notValidAfter)
        #expect(throws: TLSError.self) {
            try TLSCertificateFactory.certificateAuthority(
                key: P256.Signing.PrivateKey(), commonName: "x", serialNumber: Certificate.SerialNumber(bytes: [1]),
                notValidBefore: Self.now, notValidAfter: Self.now
            )
        }
    }

    @Test func theCAKeyMustBeTheCAsKey() throws {
        let authority = try Self.makeCA()
        #expect(throws: TLSError.certificate(reason: "the CA key is not the key of the CA certificate")) {
            try TLSCertificateFactory.serverCertificate(
                key: P256.Signing.PrivateKey().publicKey, names: try TLSServerNames(dnsNames: [], ipAddresses: []),
                serialNumber: Certificate.SerialNumber(bytes: [1]), notValidBefore: Self.now,
                notValidAfter: Self.now.adding(milliseconds: Self.day), issuer: authority.1, issuerKey: P256.Signing.PrivateKey()
            )
        }
    }

    @Test func theFingerprintIsSHA256OfTheDERInOpenSSLsNotation() throws {
        let (_, ca) = try Self.makeCA()
        let der = try ca.serializeAsPEM().derBytes
        let expected = Hash32.sha256(der).bytes.map { String(format: "%02X", $0) }.joined(separator: ":")
        let summary = try TLSCertificateSummary(ca)
        #expect(summary.sha256Fingerprint == expected)
        #expect(summary.sha256Fingerprint.count == 32 * 3 - 1)
        #expect(summary.isCertificateAuthority)
        #expect(summary.lines(now: Self.now).contains("  valid        2023-11-14T22:13:20Z to 2033-11-11T22:13:20Z (3650 days left)"))
    }
}

@Suite("TLS names and the plain-HTTP rule")
struct TLSNameTests {
    @Test func defaultsAreLocalhostAnd127001() throws {
        let names = try TLSServerNames(dnsNames: [], ipAddresses: [])
        #expect(names.dnsNames == ["localhost"])
        #expect(names.ipAddresses.map(\.description) == ["127.0.0.1"])
        let onlyHost = try TLSServerNames(dnsNames: ["hub"], ipAddresses: [])
        #expect(onlyHost.dnsNames == ["hub"])
        #expect(onlyHost.ipAddresses.map(\.description) == ["127.0.0.1"])
    }

    @Test(arguments: [
        ("", "empty"),
        ("hub..example", "empty label"),
        ("hub.example.", "empty label"),
        ("-hub.example", "a label must not start or end with '-'"),
        ("hub-.example", "a label must not start or end with '-'"),
        ("hub_1.example", "only letters, digits, '-' and '.' are allowed"),
        ("*.example.org", "only letters, digits, '-' and '.' are allowed"),
        ("hüb.example", "only letters, digits, '-' and '.' are allowed"),
        (String(repeating: "a", count: 64) + ".example", "a label is longer than 63 characters"),
        (Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."), "longer than 253 characters"),
        ("10.0.0.5", "it is an IP address; give it with --ip"),
    ])
    func badHostNamesAreRefusedWithTheReason(name: String, reason: String) {
        #expect(throws: TLSError.invalidHostName(name, reason: reason)) { try TLSServerNames(dnsNames: [name], ipAddresses: []) }
    }

    @Test(arguments: ["10.0.0", "10.0.0.256", "localhost", "1.2.3.4/24", " 10.0.0.1", "::g", ""])
    func badIPAddressesAreRefused(text: String) {
        #expect(throws: TLSError.invalidIPAddress(text)) { try TLSServerNames(dnsNames: [], ipAddresses: [text]) }
        #expect(TLSError.invalidIPAddress(text).description == "invalid --ip: \"\(text)\" is not an IPv4 or IPv6 address")
    }

    @Test func ipAddressesAreHeldAsTheirBytesAndPrintedCanonically() throws {
        #expect(try TLSIPAddress("192.168.1.20").bytes == [192, 168, 1, 20])
        #expect(try TLSIPAddress("fe80:0:0::1").description == "fe80::1")
        #expect(try TLSIPAddress("::1").bytes == Array(repeating: 0, count: 15) + [1])
        #expect(TLSIPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("localhost", true), ("LOCALHOST", true), ("localhost.", true),
        ("::1", true), ("[::1]", true), ("::ffff:127.0.0.1", true),
        ("0.0.0.0", false), ("::", false), ("10.0.0.5", false), ("128.0.0.1", false), ("::ffff:10.0.0.1", false),
        ("hub.example.org", false), ("localhost.example.org", false), ("", false),
    ])
    func onlyLoopbackMayServePlainHTTP(host: String, loopback: Bool) {
        #expect(PlainHTTPPolicy.isLoopback(host: host) == loopback)
        if loopback {
            #expect(throws: Never.self) { try PlainHTTPPolicy.check(host: host, tls: false) }
        } else {
            #expect(throws: TLSError.plainHTTPOnNonLoopback(host: host)) { try PlainHTTPPolicy.check(host: host, tls: false) }
        }
        #expect(throws: Never.self) { try PlainHTTPPolicy.check(host: host, tls: true) }
    }
}
