import LineIO
import ArgumentParser
import CopierSimulator
import Dispatch
import Glibc
import Protocol

struct CopierServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulated copier controller: Modbus (TCP or RTU) and the front panel.",
        discussion: """
            Prints one JSON line when ready, e.g. {"modbus":1502,"panel":1503,...}; port 0 picks \
            a free port. SIGINT or SIGTERM saves the controller's memory and exits 0.
            """
    )

    enum Model: String, ExpressibleByArgument, CaseIterable {
        case colour, mono
        var copierModel: CopierModel { self == .colour ? .simulatedColour : .simulatedMono }
    }

    @Option(help: "Modbus TCP address to listen on, HOST:PORT (default \(CopierDefaults.modbus)).")
    var modbus: String?

    @Option(help: "Serve Modbus RTU on this serial device instead of TCP (19200 8E1).")
    var rtu: String?

    @Option(help: "Front panel address, a loopback HOST:PORT.")
    var panel: String = CopierDefaults.panel

    @Option(help: "Print port address, a loopback HOST:PORT (docs/print-port.md); not served unless given.")
    var print: String?

    @Option(help: "Directory for printed pages, the output tray (default <state-dir>/tray).")
    var trayFolder: String?

    @Option(help: "Directory for the controller's memory (created if missing).")
    var stateDir: String

    @Option(help: "Directory for the scans (default <state-dir>/scans).")
    var scanFolder: String?

    @Option(help: "The copier model, for a new state directory: colour (IMP-SIM-C45) or mono (IMP-SIM-M30). Default: what the state directory holds, else colour.")
    var model: Model?

    @Option(help: "Page impressions per second (\(CopierPageRate.allowed.lowerBound)...\(Int(CopierPageRate.allowed.upperBound))).")
    var pageRate: Double = CopierPageRate.standard.pagesPerSecond

    @Flag(help: "Discard the stored memory and start as a new controller.")
    var resetState = false

    @Option(help: "Power on with this hardware fault (1 paper jam, 2 out of paper, 3 toner empty, 4 door open, 5 internal error).")
    var faultAtStart: Int?

    @OptionGroup var firmware: FirmwareBootOptions

    func validate() throws {
        if modbus != nil && rtu != nil { throw ValidationError("--modbus and --rtu are alternatives: give one") }
        if let faultAtStart, !(1...5).contains(faultAtStart) { throw ValidationError("--fault-at-start must be from 1 to 5") }
        if CopierPageRate(pagesPerSecond: pageRate) == nil {
            throw ValidationError("--page-rate must be from \(CopierPageRate.allowed.lowerBound) to \(CopierPageRate.allowed.upperBound)")
        }
    }

    func run() throws {
        let listen: CopierModbusListen
        if let rtu {
            listen = .rtu(path: rtu)
        } else {
            do {
                listen = .tcp(try SocketAddress.parse(modbus ?? CopierDefaults.modbus, allowAnyPort: true))
            } catch {
                throw ValidationError("--modbus: \(error)")
            }
        }
        let panelAddress: SocketAddress
        do { panelAddress = try SocketAddress.parse(panel, allowAnyPort: true) } catch { throw ValidationError("--panel: \(error)") }
        var printAddress: SocketAddress?
        if let print {
            do { printAddress = try SocketAddress.parse(print, allowAnyPort: true) } catch { throw ValidationError("--print: \(error)") }
        }
        guard let rate = CopierPageRate(pagesPerSecond: pageRate) else { throw ValidationError("--page-rate is out of range") }

        signal(SIGPIPE, SIG_IGN)
        let stop = StopSignals()
        let vendorKeys = try firmware.vendorPublicKeys()
        let host: CopierHost
        do {
            host = try CopierHost(options: CopierHostOptions(
                simulator: CopierSimulatorOptions(
                    stateDirectory: stateDir, scanFolder: scanFolder, trayFolder: trayFolder, model: model?.copierModel,
                    pageRate: rate, resetState: resetState,
                    faultAtStart: faultAtStart.flatMap { UInt16(exactly: $0) }.flatMap(CopierFault.init(rawValue:)) ?? .none,
                    vendorKeys: vendorKeys, trial: firmware.configuration
                ),
                modbus: listen,
                panel: panelAddress,
                print: printAddress
            ))
        } catch {
            throw Console.fail(error.description)
        }
        Console.line(host.readyLine.text)
        stop.wait()
        do {
            try host.stop()
        } catch {
            throw Console.fail("while shutting down: \(error)")
        }
    }
}

/// SIGINT and SIGTERM, turned from "die now" into a request to shut down cleanly.
final class StopSignals {
    private let received = DispatchSemaphore(value: 0)
    private let sources: [any DispatchSourceSignal]

    init() {
        let received = received
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { received.signal() }
            source.resume()
            return source
        }
    }

    func wait() { received.wait() }
}
