import ArgumentParser
import Foundation
import LineIO
import Protocol
import SealSimulator

struct SealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "The simulated company seal: a USB device through umockdev, and its front panel.",
        discussion: "docs/seal-simulator.md: how another process sees the device (umockdev-wrapper and UMOCKDEV_DIR).",
        subcommands: [SealServeCommand.self, SealStampCommand.self, SealStatusCommand.self, SealUnplugCommand.self, SealPlugCommand.self]
    )
}

enum SealDefaults {
    static let panel = "127.0.0.1:1505"
}

struct SealServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulated seal: a live USB device on a umockdev testbed, and its front panel.",
        discussion: """
            Prints one JSON line when ready, e.g. {"panel":1505,"umockdev_dir":"/tmp/umockdev.XXXX",...}. \
            Programs see the seal when run as `UMOCKDEV_DIR=<umockdev_dir> umockdev-wrapper PROGRAM`. \
            SIGINT or SIGTERM saves the counters and exits 0.
            """
    )

    @Option(help: "Directory for the seal's counters and used grants (created if missing).")
    var stateDir: String

    @Option(help: "Front panel: a loopback HOST:PORT (port 0 picks one) or a Unix socket path.")
    var panel: String = SealDefaults.panel

    @Option(help: "The seal's serial: the resource id its grants name.")
    var serial: String = "seal-1"

    @Option(help: "The device id of the agent's box the seal is paired with (grants are issued for it).")
    var deviceID: String

    @Option(name: .customLong("trusted-key"), help: "A server signing key to accept grants from: 64 hex digits (Ed25519 public key). Repeat for several.")
    var trustedKeys: [String] = []

    @Option(help: "USB vendor id, 4 hex digits.")
    var vid: String = "cafe"

    @Option(help: "USB product id, 4 hex digits.")
    var pid: String = "4010"

    @OptionGroup var firmware: FirmwareBootOptions

    func run() throws {
        let identity: SealIdentity
        let usb: SealUSBDescription
        let panelAddress: SealPanelAddress
        do {
            var keys = TrustedKeys()
            guard !trustedKeys.isEmpty else { throw ValidationError("--trusted-key: give at least one server key, or the seal could never unlock") }
            for text in trustedKeys {
                guard let bytes = Hex.decode(text), let key = try? PublicKey(bytes: bytes) else {
                    throw ValidationError("--trusted-key \(text.prefix(80)): not 64 hex digits of an Ed25519 public key")
                }
                keys.insert(TrustedKey(key))
            }
            let serialID: ResourceID
            let device: DeviceID
            do { serialID = try ResourceID(serial) } catch { throw ValidationError("--serial: \(error)") }
            do { device = try DeviceID(deviceID) } catch { throw ValidationError("--device-id: \(error)") }
            identity = SealIdentity(serial: serialID, trustedKeys: keys, deviceID: device)
            guard let vendor = UInt16(vid, radix: 16) else { throw ValidationError("--vid must be 1-4 hex digits, got \(vid)") }
            guard let product = UInt16(pid, radix: 16) else { throw ValidationError("--pid must be 1-4 hex digits, got \(pid)") }
            usb = SealUSBDescription(vendorID: vendor, productID: product)
            do { panelAddress = try SealPanelAddress.parse(panel, allowAnyPort: true) } catch { throw ValidationError("--panel: \(error)") }
        }
        signal(SIGPIPE, SIG_IGN)
        let stop = StopSignals()
        let vendorKeys = try firmware.vendorPublicKeys()
        let host: SealHost
        do {
            host = try SealHost(options: SealHostOptions(
                identity: identity, stateDirectory: stateDir, usb: usb, panel: panelAddress,
                vendorKeys: vendorKeys, trial: firmware.configuration
            ))
        } catch {
            throw Console.fail("\(error)")
        }
        Console.line(host.readyLine)
        stop.wait()
        host.stop()
        if case let .unix(path) = panelAddress { unlink(path) }
    }
}

struct SealPanelOption: ParsableArguments {
    @Option(help: "The seal's front panel: HOST:PORT or a Unix socket path (what serve printed).")
    var panel: String = SealDefaults.panel

    /// Sends `command`, prints the answer; an answer with "error" exits 1.
    func send(_ command: String) throws {
        let address: SealPanelAddress
        do { address = try SealPanelAddress.parse(panel, allowAnyPort: false) } catch { throw ValidationError("--panel: \(error)") }
        let answer: String
        do {
            let socket: LineSocket
            switch address {
            case let .tcp(tcp): socket = try LineSocket.connect(to: tcp)
            case let .unix(path): socket = try LineSocket.connect(unixPath: path)
            }
            answer = try LineClient(socket: socket, peer: "the seal's panel at \(address)").exchange(line: command, timeout: .seconds(10))
        } catch {
            throw Console.fail("\(error) (is `firmware-sim seal serve` running with --panel \(address)?)")
        }
        Console.line(answer)
        if answer.contains(#""error":"#) { throw ExitCode.failure }
    }
}

struct SealStampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stamp", abstract: "Press the seal onto a document: stamps when unlocked, refused (exit 1) when locked.")
    @OptionGroup var panel: SealPanelOption
    func run() throws { try panel.send("stamp") }
}

struct SealStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print the seal's state: locked or not, uses left, counters, plugged, seated.")
    @OptionGroup var panel: SealPanelOption
    func run() throws { try panel.send("status") }
}

struct SealUnplugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unplug", abstract: "Pull the seal's USB cable (a umockdev remove uevent; open handles get ENODEV).")
    @OptionGroup var panel: SealPanelOption
    func run() throws { try panel.send("unplug") }
}

struct SealPlugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plug", abstract: "Plug the seal back in (an add uevent); it powers on locked.")
    @OptionGroup var panel: SealPanelOption
    func run() throws { try panel.send("plug") }
}
