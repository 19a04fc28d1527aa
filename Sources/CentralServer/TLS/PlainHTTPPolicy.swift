/// "Plain HTTP only on loopback" (issue 4): without TLS the server may listen only where no
/// other machine can connect, because PINs, tokens and grants travel in its requests.
public enum PlainHTTPPolicy {
    /// `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped 127.x. Anything else, including
    /// `0.0.0.0`, `::` and other host names (which may resolve anywhere), is not loopback.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" { return true }
        guard let address = try? TLSIPAddress(name) else { return false }
        if address.bytes.count == 4 { return address.bytes[0] == 127 }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        if Array(address.bytes.prefix(12)) == mappedPrefix { return address.bytes[12] == 127 }
        return address.bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// Throws `plainHTTPOnNonLoopback` for plain HTTP on a host that is not loopback.
    public static func check(host: String, tls: Bool) throws(TLSError) {
        guard tls || isLoopback(host: host) else { throw .plainHTTPOnNonLoopback(host: host) }
    }
}
