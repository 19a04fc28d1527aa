import Protocol

/// "Plain HTTP only on loopback" (issue 4): without TLS the server may listen only where no
/// other machine can connect, because PINs, tokens and grants travel in its requests.
public enum PlainHTTPPolicy {
    /// `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped 127.x (NetworkAddress.isLoopback).
    public static func isLoopback(host: String) -> Bool { NetworkAddress.isLoopback(host: host) }

    /// Throws `plainHTTPOnNonLoopback` for plain HTTP on a host that is not loopback, unless the
    /// operator said `insecure` (`--insecure-http`: TLS ends at a proxy on a network they trust).
    /// Returns whether the exception was taken, so the caller can say so loudly.
    @discardableResult
    public static func check(host: String, tls: Bool, insecure: Bool = false) throws(TLSError) -> Bool {
        guard !tls, !isLoopback(host: host) else { return false }
        guard insecure else { throw .plainHTTPOnNonLoopback(host: host) }
        return true
    }
}
