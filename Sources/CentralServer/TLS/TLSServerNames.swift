#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Protocol

/// An IPv4 or IPv6 address as written and as the 4 or 16 bytes a certificate holds.
public struct TLSIPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses dotted IPv4 (`127.0.0.1`) or IPv6 (`::1`, `fe80::1`); nothing else.
    public init(_ text: String) throws(TLSError) {
        guard let parsed = NetworkAddress.bytes(text) else { throw .invalidIPAddress(text) }
        bytes = parsed
    }

    /// From a certificate's SAN: exactly 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Canonical text (`127.0.0.1`, `::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The names a server certificate is valid for: the DNS names and IP addresses agents use in
/// `server.url`. A TLS client checks the URL's host against exactly these (RFC 6125), so an
/// agent dialling `https://10.0.0.5:8443` needs `10.0.0.5` among the IP addresses.
public struct TLSServerNames: Hashable, Sendable {
    public static let defaultDNSNames = ["localhost"]
    public static let defaultIPAddresses = ["127.0.0.1"]

    /// Lower case, without duplicates, in the order given.
    public let dnsNames: [String]
    public let ipAddresses: [TLSIPAddress]

    /// Checks and normalises the names. Each list left empty gets its default (`localhost`,
    /// `127.0.0.1`), so `--host copier-hub.example` alone still lets loopback clients in.
    public init(dnsNames: [String], ipAddresses: [String]) throws(TLSError) {
        var names: [String] = []
        for name in dnsNames.isEmpty ? Self.defaultDNSNames : dnsNames {
            let checked = try Self.checkDNSName(name)
            if !names.contains(checked) { names.append(checked) }
        }
        var addresses: [TLSIPAddress] = []
        for text in ipAddresses.isEmpty ? Self.defaultIPAddresses : ipAddresses {
            let address = try TLSIPAddress(text)
            if !addresses.contains(address) { addresses.append(address) }
        }
        self.dnsNames = names
        self.ipAddresses = addresses
    }

    /// Names already checked (read back from a certificate).
    init(checkedDNSNames: [String], ipAddresses: [TLSIPAddress]) {
        dnsNames = checkedDNSNames
        self.ipAddresses = ipAddresses
    }

    /// A host name as RFC 1123 allows it: labels of letters, digits and `-` (not first or last),
    /// 1-63 characters each, 253 in all. No wildcards: the server has a few fixed names.
    static func checkDNSName(_ name: String) throws(TLSError) -> String {
        let lower = name.lowercased()
        guard !lower.isEmpty else { throw .invalidHostName(name, reason: "empty") }
        guard lower.utf8.count <= 253 else { throw .invalidHostName(name, reason: "longer than 253 characters") }
        if (try? TLSIPAddress(lower)) != nil { throw .invalidHostName(name, reason: "it is an IP address; give it with --ip") }
        for label in lower.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw .invalidHostName(name, reason: "empty label") }
            guard label.utf8.count <= 63 else { throw .invalidHostName(name, reason: "a label is longer than 63 characters") }
            guard label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                throw .invalidHostName(name, reason: "only letters, digits, '-' and '.' are allowed")
            }
            guard label.first != "-", label.last != "-" else {
                throw .invalidHostName(name, reason: "a label must not start or end with '-'")
            }
        }
        return lower
    }
}
