import Foundation
import Logging
import Protocol

/// The agent as a running service: the store, the copier link, the copier agent and the local
/// API, wired from an `AgentConfig`. `imprimatur-agent run` is `start()`, wait for a signal,
/// `stop()`.
public final class AgentService: Sendable {
    public let config: AgentConfig
    public let store: AgentStore
    public let agent: CopierAgent
    public let uplink: UplinkClient?
    private let api: LocalAPIServer
    private let reader: EvdevCardReader?

    public init(config: AgentConfig, authority: (any GrantAuthority)? = nil, logger: Logger = Logger(label: "imprimatur.agent")) async throws {
        self.config = config
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = try DeviceKeyFile.load(config.deviceKeyFile)
        store = try AgentStore.open(path: "\(config.stateDirectory)/agent.sqlite", deviceID: config.deviceID, deviceKey: key)
        let salt: [UInt8]
        if let existing = try store.value(forKey: "credential-salt").flatMap(Hex.decode) {
            salt = existing
        } else {
            var generator = SystemRandomNumberGenerator()
            salt = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try store.setValue(Hex.encode(salt), forKey: "credential-salt")
        }
        let camera: any Camera
        switch config.cameraKind {
        case .simulated: camera = SimulatedCamera(deviceName: config.deviceID.value)
        case .v4l2: camera = CommandCamera(command: ["/usr/bin/fswebcam", "--no-banner", "--png", "5", "-d", config.cameraDevice ?? "/dev/video0", "-"])
        }
        let link = CopierLink(endpoint: config.modbus, unitID: config.modbusUnitID,
                              responseTimeout: .milliseconds(config.modbusResponseTimeoutMilliseconds))
        let settings = CopierAgent.Settings(
            deviceID: config.deviceID, copierID: config.copierID, watchdogMilliseconds: UInt16(config.watchdogMilliseconds),
            session: .init(idleTimeoutMilliseconds: Int64(config.idleTimeoutSeconds) * 1000),
            scanFolder: config.scanFolder
        )
        let clock = AgentClock()
        if let server = config.serverURL {
            uplink = UplinkClient(
                settings: .init(url: Self.uplinkURL(server), caFile: config.serverCAFile, checkpointEvery: .seconds(config.checkpointSeconds)),
                deviceID: config.deviceID, deviceKey: key, store: store, clock: clock, logger: logger
            )
        } else {
            uplink = nil
        }
        agent = CopierAgent(settings: settings, link: link, store: store, authority: authority ?? uplink ?? NoServerAuthority(),
                            camera: camera, clock: clock, hasher: CredentialHasher(deviceSalt: salt), logger: logger)
        api = try LocalAPIServer(path: config.localAPISocket, agent: agent)
        if config.readerKind == .evdev, let device = config.readerDevice {
            let agent = agent
            reader = try EvdevCardReader(path: device) { number in
                Task {
                    guard let credential = try? Credential.card(number) else { return }
                    let result = await agent.tap(credential)
                    logger.info("card reader: \(result.message)")
                }
            }
        } else {
            reader = nil
        }
    }

    /// The uplink's WebSocket URL for a server base URL: http(s)://host:port → ws(s)://host:port/uplink.
    public static func uplinkURL(_ server: String) -> String {
        var url = server.trimmingSuffix("/")
        if url.hasPrefix("https://") { url = "wss://" + url.dropFirst("https://".count) }
        if url.hasPrefix("http://") { url = "ws://" + url.dropFirst("http://".count) }
        return url.hasSuffix("/uplink") ? url : url + "/uplink"
    }

    public func start() async {
        if let uplink {
            let agent = agent
            await uplink.setRevocationHandler { token in try? await agent.applyRevocationList(token: token) }
            await uplink.start()
        }
        await agent.start()
    }

    /// Locks the copier, stops serving, closes the store.
    public func stop() async {
        reader?.stop()
        await agent.stop()
        await uplink?.stop()
        api.stop()
        try? store.close()
    }
}
