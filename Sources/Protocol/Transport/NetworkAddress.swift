import Foundation

/// Addresses and hosts as the fail-safe rules need them: which hosts are loopback (plain HTTP
/// is allowed only there, on the server's listener and in the agent's server URL), and what a
/// URL's host is. Pure (inet_pton parses; nothing is resolved).
public enum NetworkAddress {
    /// Dotted IPv4 (4 bytes) or IPv6 (16 bytes) in network byte order; nil for anything else.
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped 127.x. Anything else, including
    /// `0.0.0.0`, `::` and other host names (which may resolve anywhere), is not loopback.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" { return true }
        guard let address = bytes(name) else { return false }
        if address.count == 4 { return address[0] == 127 }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        if Array(address.prefix(12)) == mappedPrefix { return address[12] == 127 }
        return address == Array(repeating: 0, count: 15) + [1]
    }

    /// The host of `scheme://[user@]host[:port][/path]`, without the brackets of an IPv6
    /// literal; empty when there is none.
    public static func host(ofURL url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "" }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        return String(authority.prefix { $0 != ":" })
    }

    /// Why a client may not talk to `url`, or nil when it may: `https://` and `wss://` anywhere,
    /// plain `http://` and `ws://` only to a loopback host unless `insecure`.
    public static func plainURLRefusal(_ url: String, insecure: Bool) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("ws://"), !insecure else { return nil }
        let host = host(ofURL: url)
        guard !isLoopback(host: host) else { return nil }
        return "\(url) is plain \(lower.hasPrefix("ws://") ? "ws" : "http") to \(host.isEmpty ? "no host" : host), which is not loopback: "
            + "grants, PINs and the device's log would cross the network in clear. Use https:// (or wss://), "
            + "or set server.insecure_http = true if TLS ends at a proxy on a network you trust"
    }
}
