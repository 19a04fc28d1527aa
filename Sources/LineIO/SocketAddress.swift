import Glibc

/// An IPv4 `HOST:PORT` to listen on or connect to. `localhost` means 127.0.0.1.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; port 0 (any free port) only when `allowAnyPort`.
    public static func parse(_ text: String, allowAnyPort: Bool) throws(SocketAddressError) -> SocketAddress {
        guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw .missingHost(text) }
        let lowest = allowAnyPort ? 0 : 1
        guard let port = Int(text[text.index(after: colon)...]), (lowest...65535).contains(port) else {
            throw .badPort(text, lowest: lowest)
        }
        let address = SocketAddress(host: host, port: port)
        guard address.ipv4 != nil else { throw .badHost(text) }
        return address
    }

    /// The host as a dotted address (`localhost` is 127.0.0.1), for libraries that want one.
    public var numericHost: String { host == "localhost" ? "127.0.0.1" : host }

    /// The address in network form, nil when the host is not a dotted IPv4 address.
    var ipv4: sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, numericHost, &address.sin_addr) == 1 else { return nil }
        return address
    }

    /// True for 127.0.0.0/8.
    public var isLoopback: Bool {
        guard let address = ipv4 else { return false }
        return UInt32(bigEndian: address.sin_addr.s_addr) >> 24 == 127
    }

    public var description: String { "\(host):\(port)" }
}

public enum SocketAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    case missingPort(String)
    case missingHost(String)
    case badPort(String, lowest: Int)
    case badHost(String)

    public var description: String {
        switch self {
        case let .missingPort(text): return "address \(text) has no port (expected HOST:PORT)"
        case let .missingHost(text): return "address \(text) has no host (expected HOST:PORT)"
        case let .badPort(text, lowest): return "address \(text) has a port that is not a number from \(lowest) to 65535"
        case let .badHost(text): return "address \(text) has a host that is not an IPv4 address (like 127.0.0.1) or localhost"
        }
    }
}

/// A failed socket operation, naming the address and what the system said.
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    public let operation: String
    public let address: String
    public let errno: Int32
    public let reason: String?

    public init(_ operation: String, _ address: String, errno code: Int32 = Glibc.errno) {
        self.operation = operation
        self.address = address
        errno = code
        reason = nil
    }

    public init(_ operation: String, _ address: String, reason: String) {
        self.operation = operation
        self.address = address
        errno = 0
        self.reason = reason
    }

    public var description: String { "cannot \(operation) \(address): \(reason ?? String(cString: strerror(errno)))" }
}
