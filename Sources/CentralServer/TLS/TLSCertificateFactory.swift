import Crypto
import Foundation
import Protocol
import X509

/// Builds the server's CA and server certificates from keys, names, serial numbers and times
/// given to it: no files, no clock. (ECDSA signatures are randomised, so the bytes differ from
/// run to run; the contents do not.)
public enum TLSCertificateFactory {
    public static let organization = "Imprimatur"

    /// A self-signed CA: basicConstraints CA:true with path length 0 (it signs server
    /// certificates only, never other CAs), critical; keyUsage keyCertSign and cRLSign,
    /// critical; a subjectKeyIdentifier that the certificates it signs name as their authority.
    public static func certificateAuthority(
        key: P256.Signing.PrivateKey, commonName: String, serialNumber: Certificate.SerialNumber,
        notValidBefore: Timestamp, notValidAfter: Timestamp
    ) throws(TLSError) -> Certificate {
        try checkOrder(notValidBefore, notValidAfter)
        let privateKey = Certificate.PrivateKey(key)
        return try building {
            let name = try DistinguishedName {
                OrganizationName(organization)
                CommonName(commonName)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: privateKey.publicKey)
            }
            return try Certificate(
                version: .v3, serialNumber: serialNumber, publicKey: privateKey.publicKey,
                notValidBefore: date(notValidBefore), notValidAfter: date(notValidAfter),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: privateKey
            )
        }
    }

    /// A server certificate signed by `issuer`: subjectAlternativeName with `names` (what TLS
    /// clients check), extendedKeyUsage serverAuth, keyUsage digitalSignature (ECDHE-ECDSA
    /// needs only that), basicConstraints CA:false, and key identifiers linking it to the CA.
    /// Refuses a validity that ends after the CA's: clients would refuse it from that day.
    public static func serverCertificate(
        key: P256.Signing.PublicKey, names: TLSServerNames, serialNumber: Certificate.SerialNumber,
        notValidBefore: Timestamp, notValidAfter: Timestamp,
        issuer: Certificate, issuerKey: P256.Signing.PrivateKey
    ) throws(TLSError) -> Certificate {
        try checkOrder(notValidBefore, notValidAfter)
        guard date(notValidAfter) <= issuer.notValidAfter else {
            throw .outlivesCA(serverNotValidAfter: TimeText.iso8601(notValidAfter), caNotValidAfter: TLSCertificateSummary.text(issuer.notValidAfter))
        }
        let publicKey = Certificate.PublicKey(key)
        let issuerKey = Certificate.PrivateKey(issuerKey)
        guard issuerKey.publicKey == issuer.publicKey else {
            throw .certificate(reason: "the CA key is not the key of the CA certificate")
        }
        return try building {
            let subject = try DistinguishedName {
                OrganizationName(organization)
                CommonName(names.dnsNames.first ?? names.ipAddresses.first?.description ?? "imprimatur-server")
            }
            let authority = try issuer.extensions.subjectKeyIdentifier?.keyIdentifier ?? SubjectKeyIdentifier(hash: issuer.publicKey).keyIdentifier
            let alternativeNames = SubjectAlternativeNames(
                names.dnsNames.map { GeneralName.dnsName($0) }
                    + names.ipAddresses.map { GeneralName.ipAddress(.init(contentBytes: ArraySlice($0.bytes))) }
            )
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                alternativeNames
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authority)
            }
            return try Certificate(
                version: .v3, serialNumber: serialNumber, publicKey: publicKey,
                notValidBefore: date(notValidBefore), notValidAfter: date(notValidAfter),
                issuer: issuer.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: issuerKey
            )
        }
    }

    /// A random positive serial number (RFC 5280: unique per CA, at most 20 bytes).
    public static func randomSerialNumber() -> Certificate.SerialNumber {
        Certificate.SerialNumber()
    }

    /// X.509 times have whole seconds; rounding here keeps what is asked and what is written equal.
    static func date(_ moment: Timestamp) -> Date {
        let ms = moment.millisecondsSinceEpoch
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func checkOrder(_ notValidBefore: Timestamp, _ notValidAfter: Timestamp) throws(TLSError) {
        guard notValidBefore < notValidAfter else {
            throw .certificate(reason: "the validity must end after it starts (\(TimeText.iso8601(notValidBefore)) to \(TimeText.iso8601(notValidAfter)))")
        }
    }

    private static func building(_ make: () throws -> Certificate) throws(TLSError) -> Certificate {
        do { return try make() } catch let error as TLSError { throw error } catch {
            throw .certificate(reason: "\(error)")
        }
    }
}
