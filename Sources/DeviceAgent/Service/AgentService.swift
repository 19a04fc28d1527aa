import Foundation
import Logging
import Protocol

/// The agent as a running service: the store, the copier link and copier agent and/or the seal
/// agent (a `[seal]` section), the uplink and the local API, wired from an `AgentConfig`. `imprimatur-agent run` is `start()`, wait for a signal,
/// `stop()`.
public final class AgentService: Sendable {
    public let config: AgentConfig
    public let store: AgentStore
    /// The copier side; nil on a box that drives only a seal.
    public let agent: CopierAgent?
    /// The seal side, when the configuration has a `[seal]` section.
    public let seal: SealAgent?
    public let uplink: UplinkClient?
    /// Prints released split parts on the copier's print port (`copier.print`).
    public let printer: PartPrinter?
    /// Flashes the copier and the seal through the links above (docs/firmware.md); the uplink's
    /// firmware rollout calls it too.
    public let flasher: FirmwareFlasher
    /// The flashes asked for over the local API (`imprimatur-agent flash`).
    public let firmware: FirmwareJobs
    /// Firmware the server rolls out, received and flashed (nil without an uplink).
    public let firmwareUpdates: FirmwareUpdates?
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
        let clock = AgentClock()
        if let server = config.serverURL {
            uplink = UplinkClient(
                settings: .init(url: Self.uplinkURL(server), caFile: config.serverCAFile, checkpointEvery: .seconds(config.checkpointSeconds)),
                deviceID: config.deviceID, deviceKey: key, store: store, clock: clock, logger: logger
            )
        } else {
            uplink = nil
        }
        if let modbus = config.modbus {
            let link = CopierLink(endpoint: modbus, unitID: config.modbusUnitID,
                                  responseTimeout: .milliseconds(config.modbusResponseTimeoutMilliseconds))
            let settings = CopierAgent.Settings(
                deviceID: config.deviceID, copierID: config.copierID, watchdogMilliseconds: UInt16(config.watchdogMilliseconds),
                session: .init(idleTimeoutMilliseconds: Int64(config.idleTimeoutSeconds) * 1000),
                scanFolder: config.scanFolder
            )
            agent = CopierAgent(settings: settings, link: link, store: store, authority: authority ?? uplink ?? NoServerAuthority(),
                                camera: camera, clock: clock, hasher: CredentialHasher(deviceSalt: salt), logger: logger)
        } else {
            agent = nil
        }
        if let agent, let address = config.printAddress {
            printer = PartPrinter(agent: agent, store: store, port: PrintPortClient(address: address), uplink: uplink, logger: logger)
        } else {
            printer = nil
        }
        if let sealConfig = config.seal {
            // The seal's events go to the same store, so the uplink forwards its stamps with the rest.
            let location: SealLocation
            do { location = try SealLocation(placeName: sealConfig.location) } catch {
                throw ConfigError.invalid(key: "seal.location", error.description)
            }
            let settings = SealAgent.Settings(
                deviceID: config.deviceID, sealID: sealConfig.sealID, vendorID: sealConfig.vendorID, productID: sealConfig.productID,
                location: location,
                session: .init(watchdogMilliseconds: UInt16(sealConfig.watchdogMilliseconds), photoMode: sealConfig.photoMode,
                               photosAfterUse: sealConfig.photosAfterUse)
            )
            seal = SealAgent(settings: settings, store: store, camera: camera, clock: clock,
                             authority: (authority as? any SealGrantAuthority) ?? uplink ?? NoServerAuthority(), logger: logger)
        } else {
            seal = nil
        }
        // Flashing goes over the links the agent already drives, so it never fights them for
        // the Modbus connection or the USB device.
        var sealChannel: (@Sendable () async -> SealChannel?)?
        if let sealAgent = seal { sealChannel = { @Sendable in await sealAgent.currentChannel() } }
        flasher = FirmwareFlasher(copier: agent?.link, sealChannel: sealChannel)
        firmware = FirmwareJobs(flasher: flasher)
        if uplink != nil {
            var devices: Set<ResourceType> = []
            if agent != nil { devices.insert(.copier) }
            if seal != nil { devices.insert(.seal) }
            // Never during a session (a person at the copier or the seal comes first), nor
            // beside a flash started over the local API (`imprimatur-agent flash`).
            let copier = agent, sealAgent = seal, jobs = firmware
            firmwareUpdates = FirmwareUpdates(store: store, flasher: flasher, devices: devices, clock: clock, logger: logger) { kind in
                switch kind {
                case .copier:
                    if await jobs.report(.copier)?.running == true { return true }
                    switch await copier?.phase {
                    case .open, .identifying: return true
                    case .starting, .locked, nil: return false
                    }
                case .seal:
                    if await jobs.report(.seal)?.running == true { return true }
                    return await sealAgent?.status().phase ?? "locked" != "locked"
                }
            }
        } else {
            firmwareUpdates = nil
        }
        api = try LocalAPIServer(path: config.localAPISocket, agent: agent, seal: seal, firmware: firmware)
        // The card reader taps the copier; a seal tap also needs the application, so it comes
        // through the local API.
        if config.readerKind == .evdev, let device = config.readerDevice, let agent {
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
            // A revocation reaches both sides at once: each closes a session the list names.
            let agent = agent, seal = seal
            await uplink.setRevocationHandler { token in
                try? await agent?.applyRevocationList(token: token)
                try? await seal?.applyRevocationList(token: token)
            }
            if let printer { await uplink.setPartHandler { printer.poke() } }
            if let firmware = firmwareUpdates {
                await firmware.setReporter { status in await uplink.sendFirmwareStatus(status) }
                await uplink.setFirmwareUpdates(firmware)
                await firmware.resume()
            }
            await uplink.start()
        }
        await agent?.start()
        await printer?.start()
        await seal?.start()
    }

    /// Locks the copier and the seal, stops serving, closes the store.
    public func stop() async {
        reader?.stop()
        await printer?.stop()
        await agent?.stop()
        await seal?.stop()
        await uplink?.stop()
        api.stop()
        try? store.close()
    }
}
