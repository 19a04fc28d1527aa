import Foundation
import Protocol
import X509

/// What a person checks about a certificate: who it is for, who issued it, the names it is
/// valid for, when, and its fingerprint (the same text `openssl x509 -noout -fingerprint
/// -sha256` prints, so it can be compared on a device).
public struct TLSCertificateSummary: Hashable, Sendable {
    public let subject: String
    public let issuer: String
    public let dnsNames: [String]
    public let ipAddresses: [TLSIPAddress]
    public let notValidBefore: Timestamp
    public let notValidAfter: Timestamp
    public let isCertificateAuthority: Bool
    /// SHA-256 of the DER bytes, upper-case hex pairs joined by `:`.
    public let sha256Fingerprint: String
    public let serialNumber: String

    public init(_ certificate: Certificate) throws(TLSError) {
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        var names: [String] = []
        var addresses: [TLSIPAddress] = []
        do {
            for name in try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames() {
                switch name {
                case let .dnsName(text): names.append(text)
                case let .ipAddress(octets): if let address = TLSIPAddress(bytes: Array(octets.bytes)) { addresses.append(address) }
                default: break
                }
            }
            if case .isCertificateAuthority = try certificate.extensions.basicConstraints {
                isCertificateAuthority = true
            } else {
                isCertificateAuthority = false
            }
        } catch {
            throw .certificate(reason: "an extension of \(subject) does not parse (\(error))")
        }
        dnsNames = names
        ipAddresses = addresses
        notValidBefore = Self.timestamp(certificate.notValidBefore)
        notValidAfter = Self.timestamp(certificate.notValidAfter)
        sha256Fingerprint = Self.fingerprint(certificate)
        serialNumber = certificate.serialNumber.bytes.map { Hex.encode([$0]) }.joined(separator: ":")
    }

    /// The names as `TLSServerNames` (to re-issue a certificate for the same names).
    public var names: TLSServerNames { TLSServerNames(checkedDNSNames: dnsNames, ipAddresses: ipAddresses) }

    /// Lines for `tls show`.
    public func lines(now: Timestamp) -> [String] {
        var lines = [
            "  subject      \(subject)",
            "  issuer       \(issuer)",
        ]
        if !dnsNames.isEmpty || !ipAddresses.isEmpty {
            lines.append("  names        " + (dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }).joined(separator: ", "))
        }
        let daysLeft = notValidAfter.milliseconds(since: now) / 86_400_000
        let state = now > notValidAfter ? "EXPIRED" : now < notValidBefore ? "not yet valid" : "\(daysLeft) days left"
        lines.append("  valid        \(TimeText.iso8601(notValidBefore)) to \(TimeText.iso8601(notValidAfter)) (\(state))")
        lines.append("  SHA-256      \(sha256Fingerprint)")
        return lines
    }

    static func fingerprint(_ certificate: Certificate) -> String {
        let der = (try? certificate.serializeAsPEM().derBytes) ?? []
        return Hash32.sha256(der).bytes.map { Hex.encode([$0]).uppercased() }.joined(separator: ":")
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    static func text(_ date: Date) -> String { TimeText.iso8601(timestamp(date)) }
}
