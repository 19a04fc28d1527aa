import Foundation
import ModbusIO
import Testing
@testable import DeviceAgent

@Suite("Agent configuration")
struct AgentConfigTests {
    static let sample = """
    # The agent beside the copier on the third floor.
    [server]
    url = "wss://imprimatur.example:8443/uplink"

    [device]
    id = "copier-3f"
    location = "HQ 3F # print room"   # a hash inside quotes is text

    [copier]
    modbus = "127.0.0.1:1502"
    watchdog_ms = 3_000

    [state]
    dir = "/tmp/agent"
    """

    @Test func readsEveryKindOfValueWithDefaults() throws {
        let config = try AgentConfig(file: ConfigFile(parsing: Self.sample))
        #expect(config.serverURL == "wss://imprimatur.example:8443/uplink")
        #expect(config.deviceID.value == "copier-3f")
        #expect(config.location == "HQ 3F # print room")
        #expect(config.modbus == .tcp(host: "127.0.0.1", port: 1502))
        #expect(config.watchdogMilliseconds == 3000)
        #expect(config.deviceKeyFile == "/tmp/agent/device.key")
        #expect(config.readerKind == .socket)
        #expect(config.idleTimeoutSeconds == 60)
    }

    @Test func thePrintPortIsReadAndOptional() throws {
        #expect(try AgentConfig(file: ConfigFile(parsing: Self.sample)).printAddress == nil)
        let config = try AgentConfig(file: ConfigFile(parsing: Self.sample.replacingOccurrences(of: "watchdog_ms = 3_000", with: "watchdog_ms = 3_000\nprint = \"127.0.0.1:1504\"")))
        #expect(config.printAddress?.description == "127.0.0.1:1504")
    }

    @Test func rtuTakesItsLineSettings() throws {
        let text = "[device]\nid = \"c1\"\n[copier]\nrtu = \"/dev/ttyUSB0\"\nbaud = 9600\nparity = \"N\"\n"
        let config = try AgentConfig(file: ConfigFile(parsing: text))
        #expect(config.modbus == .rtu(path: "/dev/ttyUSB0", baud: 9600, parity: .none, dataBits: 8, stopBits: 2))
    }

    @Test func aSealBoxNeedsNoCopier() throws {
        let text = "[device]\nid = \"seal-box-1\"\nlocation = \"HQ reception\"\n[seal]\nid = \"seal-1\"\nproduct_id = \"4011\"\nphoto_mode = \"manual\"\nphotos_after_use = 2\n"
        let config = try AgentConfig(file: ConfigFile(parsing: text))
        #expect(config.modbus == nil)
        let seal = try #require(config.seal)
        #expect(seal.sealID.value == "seal-1" && seal.vendorID == 0xCAFE && seal.productID == 0x4011)
        #expect(seal.location == "HQ reception" && seal.photoMode == .manual && seal.photosAfterUse == 2 && seal.watchdogMilliseconds == 3000)
    }

    @Test func aCopierBoxHasNoSeal() throws {
        #expect(try AgentConfig(file: ConfigFile(parsing: Self.sample)).seal == nil)
    }

    @Test(arguments: [
        ("[device]\nid = \"c1\"\n", ConfigError.missing(key: "copier.modbus (HOST:PORT) or copier.rtu (a serial device), or a [seal] section")),
        ("[device]\nid = \"b1\"\n[seal]\nvendor_id = \"cafe\"\n", .missing(key: "seal.id")),
        ("[device]\nid = \"b1\"\n[seal]\nid = \"s1\"\nvendor_id = \"0xcafe\"\n", .invalid(key: "seal.vendor_id", "0xcafe must be 1-4 hex digits, as lsusb shows it (e.g. \"cafe\")")),
        ("[device]\nid = \"b1\"\n[seal]\nid = \"s1\"\nphoto_mode = \"sometimes\"\n", .invalid(key: "seal.photo_mode", "sometimes must be automatic or manual")),
        ("[device]\nid = \"b1\"\n[seal]\nid = \"s1\"\nphotos_after_use = 2\n", .invalid(key: "seal.photos_after_use", "photos after use are taken only in photo_mode = \"manual\"")),
        ("[device]\nid = \"b1\"\n[seal]\nid = \"s1\"\nphoto_mode = \"manual\"\nphotos_after_use = 101\n", .invalid(key: "seal.photos_after_use", "101 is outside 0...100")),
        ("[device]\nid = \"b1\"\n[seal]\nid = \"s1\"\nserial = \"s1\"\n", .unknownKeys(["seal.serial"])),
        ("[device]\nid = \"c 1\"\n[copier]\nmodbus = \"h:1\"\n", .invalid(key: "device.id", "invalid device id: byte 32 at position 1 is not one of A-Z a-z 0-9 . _ - : @")),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\nwatchdog_ms = 50\n", .invalid(key: "copier.watchdog_ms", "50 is outside 100...60000")),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\nwatchdog_ms = \"2s\"\n", .wrongType(key: "copier.watchdog_ms", expected: "an integer", got: "\"2s\"")),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h\"\n", .invalid(key: "copier.modbus", "Modbus address h has no port (expected HOST:PORT)")),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\nprint = \"127.0.0.1\"\n", .invalid(key: "copier.print", "address 127.0.0.1 has no port (expected HOST:PORT)")),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\nprint = \"10.0.0.5:9100\"\n", .invalid(key: "copier.print", "10.0.0.5:9100 is not a loopback address; the print port is reached on 127.0.0.1")),
        ("[device]\nid = \"b1\"\nprint = 1\n[seal]\nid = \"s1\"\n", .unknownKeys(["device.print"])),
        ("[device]\nid = \"c1\"\nidd = 3\n[copier]\nmodbus = \"h:1\"\n", .unknownKeys(["device.idd"])),
        ("[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n[reader]\nkind = \"evdev\"\n", .missing(key: "reader.device (needed when reader.kind = \"evdev\")")),
        ("[server]\nurl = \"ftp://x\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n", .invalid(key: "server.url", "ftp://x must start with ws://, wss://, http:// or https://")),
        ("[server]\nurl = \"https://127.0.0.1:8443\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n", .invalid(key: "server.url", "https://127.0.0.1:8443: name the server by a host name in its certificate, not an IP address (TLS cannot send an IP address as the server name)")),
        ("[server]\nurl = \"http://10.0.0.5:8080\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n", .invalid(key: "server.url", "http://10.0.0.5:8080 is plain http to 10.0.0.5, which is not loopback: grants, PINs and the device's log would cross the network in clear. Use https:// (or wss://), or set server.insecure_http = true if TLS ends at a proxy on a network you trust")),
        ("[server]\nurl = \"ws://hub.example.org/uplink\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n", .invalid(key: "server.url", "ws://hub.example.org/uplink is plain ws to hub.example.org, which is not loopback: grants, PINs and the device's log would cross the network in clear. Use https:// (or wss://), or set server.insecure_http = true if TLS ends at a proxy on a network you trust")),
        ("[server]\nurl = \"http://127.0.0.1:8080\"\ninsecure_http = \"yes\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n", .wrongType(key: "server.insecure_http", expected: "true or false", got: "\"yes\"")),
    ] as [(String, ConfigError)])
    func badConfigNamesTheKey(text: String, expected: ConfigError) {
        #expect(throws: expected) { try AgentConfig(file: ConfigFile(parsing: text)) }
    }

    @Test(arguments: [
        ("[device\n", ConfigError.syntax(line: 1, "a section header must look like [name]")),
        ("a b = 1\n", .syntax(line: 1, "key \"a b\" may use only letters, digits, _ and -")),
        ("a = 1\na = 2\n", .syntax(line: 2, "a is set twice (first on line 1)")),
        ("a = \"open\n", .syntax(line: 1, "a: unterminated string")),
        ("a = yes\n", .syntax(line: 1, "a: yes is not a quoted string, an integer, true or false")),
        ("\n\njust words\n", .syntax(line: 3, "expected key = value")),
    ] as [(String, ConfigError)])
    func syntaxErrorsNameTheLine(text: String, expected: ConfigError) {
        #expect(throws: expected) { try ConfigFile(parsing: text) }
    }
}

extension AgentConfigTests {
    /// Fail-safe default (issue 14): plain http/ws only to loopback, unless the operator says so.
    @Test(arguments: ["http://127.0.0.1:8080", "ws://localhost:8080/uplink", "http://[::1]:8080", "https://hub.example.org", "wss://hub.example.org/uplink"])
    func aSecureOrLoopbackServerURLIsAccepted(url: String) throws {
        let config = try AgentConfig(file: ConfigFile(parsing: "[server]\nurl = \"\(url)\"\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n"))
        #expect(config.serverURL == url)
        #expect(!config.insecureHTTP)
    }

    /// CRLF line endings (a file saved on Windows) parse as LF ones; "\r\n" is one Character.
    @Test func aFileWithCRLFLineEndingsParses() throws {
        let crlf = Self.sample.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(crlf.unicodeScalars.contains("\r"))
        #expect(try AgentConfig(file: ConfigFile(parsing: crlf)) == AgentConfig(file: ConfigFile(parsing: Self.sample)))
    }

    @Test func insecureHTTPLetsAPlainURLToAnotherHostThrough() throws {
        let config = try AgentConfig(file: ConfigFile(parsing: "[server]\nurl = \"http://10.0.0.5:8080\"\ninsecure_http = true\n[device]\nid = \"c1\"\n[copier]\nmodbus = \"h:1\"\n"))
        #expect(config.serverURL == "http://10.0.0.5:8080")
        #expect(config.insecureHTTP)
    }
}

@Suite("Packaged agent configuration")
struct PackagedConfigTests {
    @Test func theExampleConfigurationIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("packaging/agent.toml").path
        let config = try AgentConfig(file: ConfigFile(parsing: try String(contentsOfFile: path, encoding: .utf8)))
        #expect(config.readerKind == .evdev && config.cameraKind == .v4l2)
        #expect(config.serverURL == "https://imprimatur.example:8443")
    }
}
