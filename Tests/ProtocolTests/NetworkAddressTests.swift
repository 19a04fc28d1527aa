import Protocol
import Testing

/// The fail-safe rules' address logic (issue 14): which hosts are loopback, a URL's host, and
/// which client URLs are refused.
@Suite("Network addresses")
struct NetworkAddressTests {
    @Test(arguments: [
        ("https://hub.example.org:8443/uplink", "hub.example.org"), ("ws://127.0.0.1:8080", "127.0.0.1"),
        ("http://[::1]:8080/x", "::1"), ("http://user@10.0.0.5", "10.0.0.5"), ("http://host?x=1", "host"), ("no-scheme", ""),
    ])
    func theHostOfAURL(url: String, host: String) {
        #expect(NetworkAddress.host(ofURL: url) == host)
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.9.9.9", true), ("localhost", true), ("LOCALHOST.", true), ("::1", true), ("[::1]", true),
        ("::ffff:127.0.0.1", true), ("0.0.0.0", false), ("::", false), ("10.0.0.5", false), ("128.0.0.1", false),
        ("localhost.example.org", false), ("", false),
    ])
    func loopbackHosts(host: String, loopback: Bool) {
        #expect(NetworkAddress.isLoopback(host: host) == loopback)
    }

    @Test func plainURLsAreRefusedOffLoopbackUnlessInsecureIsSaid() {
        for allowed in ["https://10.0.0.5", "wss://hub.example.org", "http://127.0.0.1:8080", "ws://[::1]:1/uplink", "HTTP://localhost"] {
            #expect(NetworkAddress.plainURLRefusal(allowed, insecure: false) == nil, "\(allowed)")
        }
        for refused in ["http://10.0.0.5:8080", "ws://hub.example.org/uplink", "http://127.0.0.1.evil.example", "http://localhost@10.0.0.5/"] {
            let refusal = NetworkAddress.plainURLRefusal(refused, insecure: false)
            #expect(refusal?.contains("which is not loopback") == true, "\(refused)")
            #expect(NetworkAddress.plainURLRefusal(refused, insecure: true) == nil)
        }
    }

    @Test func onlyAddressesParse() {
        #expect(NetworkAddress.bytes("10.0.0.5") == [10, 0, 0, 5])
        #expect(NetworkAddress.bytes("::1")?.count == 16)
        for text in ["10.0.0", "hub.example.org", "1.2.3.4:80", "", "::1%lo"] { #expect(NetworkAddress.bytes(text) == nil, "\(text)") }
    }
}
