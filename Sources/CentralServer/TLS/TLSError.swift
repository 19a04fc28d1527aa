/// Why the server's TLS files could not be created, read or used, each naming the file or the
/// option and, where there is one, the command that fixes it.
public enum TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A `--host` value that is not a DNS name.
    case invalidHostName(String, reason: String)
    /// An `--ip` value that is not an IPv4 or IPv6 address.
    case invalidIPAddress(String)
    /// `--days` (or the CA's) outside what is accepted.
    case invalidValidity(option: String, days: Int, allowed: ClosedRange<Int>)
    /// `tls init` without `--force` where TLS files (a CA) already exist.
    case alreadyInitialized(path: String)
    /// A file the command or the server needs is not there.
    case missing(path: String, hint: String)
    /// A key file or the folder can be read (or written) by other users.
    case insecurePermissions(path: String, mode: UInt32, expected: UInt32)
    /// A key file or the folder belongs to another user.
    case wrongOwner(path: String, owner: UInt32, expected: UInt32)
    /// A PEM file that does not parse, or holds the wrong kind of thing.
    case malformed(path: String, reason: String)
    /// The server key is not the key of the server certificate.
    case keyDoesNotMatchCertificate(key: String, certificate: String)
    /// The server certificate was not issued by the CA in `ca.pem`.
    case notIssuedByCA(certificate: String, ca: String)
    /// The server certificate is not valid at the time given.
    case expired(path: String, notValidAfter: String)
    case notYetValid(path: String, notValidBefore: String)
    /// The server certificate would outlive the CA that signs it.
    case outlivesCA(serverNotValidAfter: String, caNotValidAfter: String)
    /// Building or signing a certificate failed (in swift-certificates or NIOSSL).
    case certificate(reason: String)
    case io(path: String, operation: String, errno: Int32)
    /// `serve` without TLS on an address other hosts can reach.
    case plainHTTPOnNonLoopback(host: String)

    public var description: String {
        switch self {
        case let .invalidHostName(name, reason):
            return "invalid --host: \"\(name)\" is not a DNS name (\(reason))"
        case let .invalidIPAddress(text):
            return "invalid --ip: \"\(text)\" is not an IPv4 or IPv6 address"
        case let .invalidValidity(option, days, allowed):
            return "invalid --\(option): must be \(allowed.lowerBound) to \(allowed.upperBound) days, got \(days)"
        case let .alreadyInitialized(path):
            return "\(path) already exists: agents that trust this CA would refuse a new one. Use --renew-server to issue a new server certificate with it, or --force to replace the CA (then copy the new ca.pem to every agent)"
        case let .missing(path, hint):
            return "\(path) does not exist; \(hint)"
        case let .insecurePermissions(path, mode, expected):
            return "\(path) has mode \(String(mode, radix: 8)); TLS private keys must not be readable by other users. Fix it with: chmod \(String(expected, radix: 8)) \(path)"
        case let .wrongOwner(path, owner, expected):
            return "\(path) belongs to uid \(owner), not to the server's uid \(expected)"
        case let .malformed(path, reason):
            return "\(path) is not usable: \(reason)"
        case let .keyDoesNotMatchCertificate(key, certificate):
            return "\(key) is not the private key of \(certificate) (run tls init --renew-server to issue a matching pair)"
        case let .notIssuedByCA(certificate, ca):
            return "\(certificate) was not issued by the CA in \(ca); agents trusting that CA would refuse it (run tls init --renew-server)"
        case let .expired(path, notValidAfter):
            return "\(path) expired on \(notValidAfter); renew it with: imprimatur-server tls init --renew-server"
        case let .notYetValid(path, notValidBefore):
            return "\(path) is not valid before \(notValidBefore) (is the clock right?)"
        case let .outlivesCA(server, ca):
            return "the server certificate would be valid until \(server), after the CA expires (\(ca)); use a smaller --days or a new CA (--force)"
        case let .certificate(reason):
            return "cannot build the certificate: \(reason)"
        case let .io(path, operation, errno):
            return "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        case let .plainHTTPOnNonLoopback(host):
            return "refusing to serve plain HTTP on \(host): without TLS the server listens only on loopback (127.0.0.1, ::1, localhost), since PINs, API tokens and grants would cross the network in clear. Create a certificate with: imprimatur-server tls init --data DIR --host NAME --ip ADDRESS, then serve with --tls (or, only behind a TLS-terminating proxy on a trusted network, add --insecure-http)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
