import Crypto
import Foundation
import Protocol
import TestSupport
import Testing
import X509
@testable import CentralServer
#if canImport(Glibc)
import Glibc
#endif

/// `<data>/tls/`: what `tls init` writes, with which modes, and what the server refuses to load.
@Suite("TLS folder")
struct TLSDirectoryTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let localNames = try! TLSServerNames(dnsNames: [], ipAddresses: [])

    static func mode(_ path: String) -> UInt32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return UInt32(info.st_mode) & 0o7777
    }

    @Test func initWritesPrivateKeysAndAFolderOnlyTheServerCanOpen() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        let issued = try directory.initialize(names: Self.localNames, now: Self.now)
        #expect(Self.mode(directory.path) == 0o700)
        #expect(Self.mode(directory.caKeyFile) == 0o600)
        #expect(Self.mode(directory.serverKeyFile) == 0o600)
        #expect(Self.mode(directory.caCertificateFile) == 0o644)
        #expect(Self.mode(directory.serverCertificateFile) == 0o644)
        #expect(issued.files == [directory.caKeyFile, directory.caCertificateFile, directory.serverKeyFile, directory.serverCertificateFile])
        // No temporary files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["ca.key", "ca.pem", "server.key", "server.pem"])

        // Backdated an hour for clocks a little behind; --days and the CA's default from now.
        #expect(issued.server.notValidBefore == Self.now.adding(milliseconds: -3_600_000))
        #expect(issued.server.notValidAfter == Self.now.adding(milliseconds: 825 * 86_400_000))
        #expect(issued.ca.notValidAfter == Self.now.adding(milliseconds: 3650 * 86_400_000))
        #expect(issued.server.dnsNames == ["localhost"])
        #expect(issued.server.ipAddresses.map(\.description) == ["127.0.0.1"])

        // The files hold what the summaries say, and the keys are P-256 PKCS#8.
        let (ca, server) = try directory.summaries()
        #expect(ca == issued.ca)
        #expect(server == issued.server)
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: directory.caKeyFile, encoding: .utf8))
        let caCertificate = try Certificate(pemEncoded: String(contentsOfFile: directory.caCertificateFile, encoding: .utf8))
        #expect(caCertificate.publicKey == Certificate.PublicKey(caKey.publicKey))
        #expect(try String(contentsOfFile: directory.serverKeyFile, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test func initTwiceIsRefusedUnlessForcedAndTheRefusalChangesNothing() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        let first = try directory.initialize(names: Self.localNames, now: Self.now)
        #expect(throws: TLSError.alreadyInitialized(path: directory.caCertificateFile)) {
            try directory.initialize(names: Self.localNames, now: Self.now)
        }
        #expect(try directory.summaries().ca == first.ca)
        let forced = try directory.initialize(names: Self.localNames, force: true, now: Self.now)
        #expect(forced.ca.sha256Fingerprint != first.ca.sha256Fingerprint)
        #expect(try directory.summaries().ca == forced.ca)

        // Any one of the files is enough to refuse: someone may have put a certificate there.
        let other = TLSDirectory(dataDirectory: try TemporaryDirectory().path)
        try FileManager.default.createDirectory(atPath: other.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: other.serverCertificateFile, contents: Data())
        #expect(throws: TLSError.alreadyInitialized(path: other.serverCertificateFile)) {
            try other.initialize(names: Self.localNames, now: Self.now)
        }
    }

    @Test func renewServerKeepsTheCAAndTheNames() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        let names = try TLSServerNames(dnsNames: ["hub.example.org"], ipAddresses: ["10.0.0.5"])
        let first = try directory.initialize(names: names, now: Self.now)
        let later = Self.now.adding(milliseconds: 800 * 86_400_000)
        let renewed = try directory.renewServer(names: nil, days: 90, now: later)
        #expect(renewed.ca == first.ca)
        #expect(renewed.files == [directory.serverKeyFile, directory.serverCertificateFile])
        #expect(renewed.server.sha256Fingerprint != first.server.sha256Fingerprint)
        #expect(renewed.server.names == names)
        #expect(renewed.server.notValidAfter == later.adding(milliseconds: 90 * 86_400_000))
        #expect(try directory.loadServerIdentity(now: later).summary == renewed.server)

        let moved = try directory.renewServer(names: try TLSServerNames(dnsNames: ["new.example.org"], ipAddresses: []), now: later)
        #expect(moved.server.dnsNames == ["new.example.org"])
        #expect(moved.server.ipAddresses.map(\.description) == ["127.0.0.1"])
        #expect(throws: TLSError.outlivesCA(serverNotValidAfter: "2036-01-20T22:13:20Z", caNotValidAfter: "2033-11-11T22:13:20Z")) {
            try directory.renewServer(names: nil, days: 3650, now: later)
        }
    }

    @Test func renewServerNeedsTheCA() throws {
        let directory = TLSDirectory(dataDirectory: try TemporaryDirectory().path)
        #expect(throws: TLSError.missing(path: directory.caCertificateFile, hint: "--renew-server needs the CA; create one with: imprimatur-server tls init")) {
            try directory.renewServer(names: nil, now: Self.now)
        }
    }

    @Test(arguments: [0, 3651, -1])
    func serverDaysOutOfRangeAreRefusedBeforeAnythingIsWritten(days: Int) throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        #expect(throws: TLSError.invalidValidity(option: "days", days: days, allowed: 1...3650)) {
            try directory.initialize(names: Self.localNames, serverDays: days, now: Self.now)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(TLSError.invalidValidity(option: "days", days: days, allowed: 1...3650).description == "invalid --days: must be 1 to 3650 days, got \(days)")
    }

    @Test func aKeyOthersCanReadOrAnOpenFolderIsRefusedWithTheFix() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        try directory.initialize(names: Self.localNames, now: Self.now)
        chmod(directory.serverKeyFile, 0o640)
        let error = TLSError.insecurePermissions(path: directory.serverKeyFile, mode: 0o640, expected: 0o600)
        #expect(throws: error) { try directory.loadServerIdentity(now: Self.now) }
        #expect(error.description.contains("Fix it with: chmod 600 \(directory.serverKeyFile)"))
        chmod(directory.serverKeyFile, 0o600)
        chmod(directory.path, 0o755)
        #expect(throws: TLSError.insecurePermissions(path: directory.path, mode: 0o755, expected: 0o700)) {
            try directory.loadServerIdentity(now: Self.now)
        }
        #expect(throws: TLSError.insecurePermissions(path: directory.path, mode: 0o755, expected: 0o700)) {
            try directory.renewServer(names: nil, now: Self.now)
        }
        chmod(directory.path, 0o700)
        chmod(directory.caKeyFile, 0o604)
        #expect(throws: TLSError.insecurePermissions(path: directory.caKeyFile, mode: 0o604, expected: 0o600)) {
            try directory.renewServer(names: nil, now: Self.now)
        }
    }

    @Test func theServerRefusesAMismatchedKeyACertificateFromAnotherCAOrAnExpiredOne() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        try directory.initialize(names: Self.localNames, now: Self.now)
        let identity = try directory.loadServerIdentity(now: Self.now)
        #expect(identity.certificateChainPEM.count == 1)
        #expect(identity.certificateChainPEM[0].hasPrefix("-----BEGIN CERTIFICATE-----"))

        // Expired, and not yet valid (a clock far behind).
        #expect(throws: TLSError.expired(path: directory.serverCertificateFile, notValidAfter: "2026-02-16T22:13:20Z")) {
            try directory.loadServerIdentity(now: Self.now.adding(milliseconds: 826 * 86_400_000))
        }
        #expect(throws: TLSError.notYetValid(path: directory.serverCertificateFile, notValidBefore: "2023-11-14T21:13:20Z")) {
            try directory.loadServerIdentity(now: Self.now.adding(milliseconds: -2 * 3_600_000))
        }

        // Another key in server.key.
        let serverKey = try String(contentsOfFile: directory.serverKeyFile, encoding: .utf8)
        try TLSFileIO.writeAtomically(P256.Signing.PrivateKey().pemRepresentation, to: directory.serverKeyFile, mode: 0o600)
        #expect(throws: TLSError.keyDoesNotMatchCertificate(key: directory.serverKeyFile, certificate: directory.serverCertificateFile)) {
            try directory.loadServerIdentity(now: Self.now)
        }
        try TLSFileIO.writeAtomically(serverKey, to: directory.serverKeyFile, mode: 0o600)

        // A different CA in ca.pem: agents given that ca.pem would refuse this server.
        let otherData = try TemporaryDirectory()
        let other = TLSDirectory(dataDirectory: otherData.path)
        try other.initialize(names: Self.localNames, now: Self.now)
        try FileManager.default.removeItem(atPath: directory.caCertificateFile)
        try FileManager.default.copyItem(atPath: other.caCertificateFile, toPath: directory.caCertificateFile)
        #expect(throws: TLSError.notIssuedByCA(certificate: directory.serverCertificateFile, ca: directory.caCertificateFile)) {
            try directory.loadServerIdentity(now: Self.now)
        }
        // Without ca.pem (a certificate from an outside CA) there is nothing to compare with.
        try FileManager.default.removeItem(atPath: directory.caCertificateFile)
        #expect(try directory.loadServerIdentity(now: Self.now).summary.dnsNames == ["localhost"])
    }

    @Test func missingAndMalformedFilesAreNamed() throws {
        let data = try TemporaryDirectory()
        let directory = TLSDirectory(dataDirectory: data.path)
        #expect(throws: TLSError.missing(path: directory.serverCertificateFile, hint: "create it with: imprimatur-server tls init --data DIR --host NAME --ip ADDRESS")) {
            try directory.loadServerIdentity(now: Self.now)
        }
        try directory.initialize(names: Self.localNames, now: Self.now)
        try TLSFileIO.writeAtomically("not a certificate\n", to: directory.serverCertificateFile, mode: 0o644)
        #expect(throws: TLSError.malformed(path: directory.serverCertificateFile, reason: "no CERTIFICATE block")) {
            try directory.loadServerIdentity(now: Self.now)
        }
        try TLSFileIO.writeAtomically("-----BEGIN CERTIFICATE-----\nAAAA\n", to: directory.serverCertificateFile, mode: 0o644)
        #expect(throws: TLSError.malformed(path: directory.serverCertificateFile, reason: "a CERTIFICATE block has no END line")) {
            try directory.loadServerIdentity(now: Self.now)
        }
        try TLSFileIO.writeAtomically("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", to: directory.serverCertificateFile, mode: 0o644)
        let garbage = #expect(throws: TLSError.self) { try directory.loadServerIdentity(now: Self.now) }
        guard case let .malformed(path, reason)? = garbage else {
            Issue.record("expected malformed, got \(String(describing: garbage))")
            return
        }
        #expect(path == directory.serverCertificateFile)
        #expect(reason.hasPrefix("certificate 1 does not parse"), "\(reason)")
        try TLSFileIO.writeAtomically(String(repeating: "x", count: 300_000), to: directory.serverCertificateFile, mode: 0o644)
        #expect(throws: TLSError.malformed(path: directory.serverCertificateFile, reason: "larger than 262144 bytes")) {
            try directory.loadServerIdentity(now: Self.now)
        }
    }
}
