import Foundation
import Protocol

/// The reverse proxies whose `X-Forwarded-For` the server believes (`serve --trusted-proxy`).
/// Behind a proxy every connection comes from the proxy's address, so a per-address lockout
/// (the web login's, the uplink's failed proofs) would count every client as one — one attacker
/// could lock everybody out, or hide among everybody. Only a listed proxy's header is read: any
/// other client could write whatever it likes there. Pure.
public struct TrustedProxies: Hashable, Sendable {
    private let addresses: Set<[UInt8]>

    public static let none = TrustedProxies(parsed: [])

    /// Throws naming the first entry that is not an IPv4 or IPv6 address.
    public init(_ addresses: [String]) throws(TLSError) {
        var parsed: Set<[UInt8]> = []
        for address in addresses { parsed.insert(try TLSIPAddress(address).bytes) }
        self.init(parsed: parsed)
    }

    private init(parsed: Set<[UInt8]>) { addresses = parsed }

    public var isEmpty: Bool { addresses.isEmpty }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return addresses.contains(bytes)
    }

    /// The client's address for a request that came from `peer` with these `X-Forwarded-For`
    /// values (each a comma-separated list, oldest hop first). From a trusted proxy: the
    /// right-most address that is not itself a trusted proxy — the left part is whatever the
    /// client sent and proves nothing. From anyone else, or when the header is missing or its
    /// right-most hop is not an address: `peer` itself.
    public func client(peer: String, forwardedFor values: [String]) -> String {
        guard contains(peer) else { return peer }
        let hops = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard let address = Self.address(hop) else { return peer }
            if !contains(address) { return address }
        }
        return hops.first.flatMap(Self.address) ?? peer
    }

    /// An X-Forwarded-For hop as a bare address: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`.
    static func address(_ hop: String) -> String? {
        var text = Substring(hop)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = text[..<colon]
        }
        return bytes(String(text)) == nil ? nil : String(text)
    }

    private static func bytes(_ address: String) -> [UInt8]? { NetworkAddress.bytes(address) }
}
