import LineIO
import ModbusIO
import Protocol

/// The agent's configuration (docs/agent.md lists every key). Built from a `ConfigFile`; each
/// problem is reported with the key it concerns.
public struct AgentConfig: Sendable, Equatable {
    public enum ReaderKind: String, Sendable, Equatable { case socket, evdev }
    public enum CameraKind: String, Sendable, Equatable { case simulated, v4l2 }

    public var serverURL: String?
    /// `server.insecure_http`: a plain `http://`/`ws://` server URL to a host that is not
    /// loopback is allowed (TLS ends at a proxy on a network the operator trusts).
    public var insecureHTTP: Bool
    /// How often the agent signs a checkpoint and sends it (bills need one covering their jobs).
    public var checkpointSeconds: Int
    public var serverCAFile: String?
    public var deviceID: DeviceID
    /// The copier's resource id in grants; the device id unless `copier.id` says otherwise.
    public var copierID: ResourceID
    public var deviceKeyFile: String
    public var location: String
    /// The copier's Modbus endpoint; nil on a box that drives only a seal.
    public var modbus: ModbusEndpoint?
    public var modbusUnitID: Int
    public var modbusResponseTimeoutMilliseconds: Int
    public var watchdogMilliseconds: Int
    public var scanFolder: String
    /// The copier's print port (docs/print-port.md), where released split parts are printed;
    /// nil: parts the server sends are kept until it is set.
    public var printAddress: SocketAddress?
    public var readerKind: ReaderKind
    public var readerSocket: String
    public var readerDevice: String?
    public var cameraKind: CameraKind
    public var cameraDevice: String?
    public var idleTimeoutSeconds: Int
    public var stateDirectory: String
    public var localAPISocket: String
    /// The `[seal]` section, when this box drives a company seal.
    public var seal: SealConfig?

    static let knownKeys: Set<String> = Set<String>([
        "server.url", "server.ca_file", "server.checkpoint_seconds", "server.insecure_http",
        "device.id", "device.key_file", "device.location",
        "copier.id", "copier.modbus", "copier.rtu", "copier.baud", "copier.parity", "copier.unit_id",
        "copier.response_timeout_ms", "copier.watchdog_ms", "copier.scan_folder", "copier.print",
        "reader.kind", "reader.socket", "reader.device",
        "camera.kind", "camera.device",
        "session.idle_timeout_s",
        "state.dir", "state.api_socket",
    ]).union(SealConfig.keys)

    public init(file: ConfigFile) throws(ConfigError) {
        let unknown = file.unknownKeys(known: Self.knownKeys)
        guard unknown.isEmpty else { throw .unknownKeys(unknown) }

        serverURL = try file.string("server.url")
        if let url = serverURL, !(url.hasPrefix("ws://") || url.hasPrefix("wss://") || url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw .invalid(key: "server.url", "\(url) must start with ws://, wss://, http:// or https://")
        }
        insecureHTTP = try file.boolean("server.insecure_http") ?? false
        // Fail safe: grants, PINs and the device's log would otherwise cross the network in clear.
        if let url = serverURL, let refusal = NetworkAddress.plainURLRefusal(url, insecure: insecureHTTP) {
            throw .invalid(key: "server.url", refusal)
        }
        if let url = serverURL, url.hasPrefix("https://") || url.hasPrefix("wss://") {
            let afterScheme = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
            let host = afterScheme.hasPrefix("[") ? afterScheme : String(afterScheme.split(separator: ":").first ?? "")
            if host.hasPrefix("[") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." }) {
                throw .invalid(key: "server.url", "\(url): name the server by a host name in its certificate, not an IP address (TLS cannot send an IP address as the server name)")
            }
        }
        serverCAFile = try file.string("server.ca_file")
        checkpointSeconds = try file.integer("server.checkpoint_seconds", in: 1...86_400) ?? 60

        let id = try file.requiredString("device.id")
        do { deviceID = try DeviceID(id) } catch { throw .invalid(key: "device.id", error.description) }
        let copier = try file.string("copier.id") ?? id
        do { copierID = try ResourceID(copier) } catch { throw .invalid(key: "copier.id", error.description) }
        stateDirectory = try file.string("state.dir") ?? "/var/lib/imprimatur-agent"
        deviceKeyFile = try file.string("device.key_file") ?? "\(stateDirectory)/device.key"
        location = try file.string("device.location") ?? ""
        localAPISocket = try file.string("state.api_socket") ?? "\(stateDirectory)/agent.sock"

        let tcp = try file.string("copier.modbus")
        let rtu = try file.string("copier.rtu")
        seal = try SealConfig.parse(file, deviceLocation: location)
        switch (tcp, rtu) {
        case (nil, nil):
            guard seal != nil else { throw .missing(key: "copier.modbus (HOST:PORT) or copier.rtu (a serial device), or a [seal] section") }
            modbus = nil
        case (.some, .some):
            throw .invalid(key: "copier.rtu", "set either copier.modbus or copier.rtu, not both")
        case let (.some(address), nil):
            do { modbus = try ModbusEndpoint.parseTCP(address) } catch { throw .invalid(key: "copier.modbus", error.description) }
        case let (nil, .some(path)):
            let baud = try file.integer("copier.baud", in: 1200...921_600) ?? 19200
            let parityText = try file.string("copier.parity") ?? "E"
            guard let parityCharacter = parityText.first, parityText.count == 1,
                  let parity = ModbusEndpoint.Parity(rawValue: parityCharacter)
            else { throw .invalid(key: "copier.parity", "\(parityText) must be N, E or O") }
            modbus = .rtu(path: path, baud: baud, parity: parity, dataBits: 8, stopBits: parity == .none ? 2 : 1)
        }
        modbusUnitID = try file.integer("copier.unit_id", in: 1...247) ?? 1
        modbusResponseTimeoutMilliseconds = try file.integer("copier.response_timeout_ms", in: 10...10_000) ?? 500
        watchdogMilliseconds = try file.integer("copier.watchdog_ms", in: 100...60_000) ?? 2000
        scanFolder = try file.string("copier.scan_folder") ?? "\(stateDirectory)/scans"
        if let print = try file.string("copier.print") {
            guard modbus != nil else { throw .invalid(key: "copier.print", "a print port needs a copier (copier.modbus or copier.rtu)") }
            let address: SocketAddress
            do { address = try SocketAddress.parse(print, allowAnyPort: false) } catch { throw .invalid(key: "copier.print", error.description) }
            // Like port 9100 the print port has no authentication: only a loopback one is safe to use.
            guard address.isLoopback else { throw .invalid(key: "copier.print", "\(print) is not a loopback address; the print port is reached on 127.0.0.1") }
            printAddress = address
        } else {
            printAddress = nil
        }

        let reader = try file.string("reader.kind") ?? "socket"
        guard let readerKind = ReaderKind(rawValue: reader) else { throw .invalid(key: "reader.kind", "\(reader) must be socket or evdev") }
        self.readerKind = readerKind
        readerSocket = try file.string("reader.socket") ?? "\(stateDirectory)/reader.sock"
        readerDevice = try file.string("reader.device")
        if readerKind == .evdev && readerDevice == nil { throw .missing(key: "reader.device (needed when reader.kind = \"evdev\")") }

        let camera = try file.string("camera.kind") ?? "simulated"
        guard let cameraKind = CameraKind(rawValue: camera) else { throw .invalid(key: "camera.kind", "\(camera) must be simulated or v4l2") }
        self.cameraKind = cameraKind
        cameraDevice = try file.string("camera.device")
        if cameraKind == .v4l2 && cameraDevice == nil { throw .missing(key: "camera.device (needed when camera.kind = \"v4l2\")") }

        idleTimeoutSeconds = try file.integer("session.idle_timeout_s", in: 5...3600) ?? 60
    }
}
