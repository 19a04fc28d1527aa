import LineIO
import ModbusIO
import Protocol

/// Where the controller's Modbus server listens.
public enum CopierModbusListen: Hashable, Sendable, CustomStringConvertible {
    /// TCP; port 0 picks a free port.
    case tcp(SocketAddress)
    /// RTU on a serial device (19200 8E1).
    case rtu(path: String)

    public var description: String {
        switch self {
        case let .tcp(address): return "tcp \(address)"
        case let .rtu(path): return "rtu \(path)"
        }
    }
}

public struct CopierHostOptions: Hashable, Sendable {
    public var simulator: CopierSimulatorOptions
    public var modbus: CopierModbusListen
    public var panel: SocketAddress
    /// The print port (docs/print-port.md); nil serves none.
    public var print: SocketAddress?

    public init(simulator: CopierSimulatorOptions, modbus: CopierModbusListen, panel: SocketAddress, print: SocketAddress? = nil) {
        self.simulator = simulator
        self.modbus = modbus
        self.panel = panel
        self.print = print
    }
}

public enum CopierHostError: Error, Equatable, Sendable, CustomStringConvertible {
    case simulator(CopierSimulatorError)
    case modbus(ModbusError)
    case panel(SocketError)
    case print(SocketError)

    public var description: String {
        switch self {
        case let .simulator(error): return error.description
        case let .modbus(error): return "Modbus server: \(error)"
        case let .panel(error): return "front panel: \(error)"
        case let .print(error): return "print port: \(error)"
        }
    }
}

/// The whole simulated copier, as `firmware-sim copier serve` runs it and as tests start it in
/// process: the controller, its Modbus server (TCP or RTU) and its front panel.
public final class CopierHost: @unchecked Sendable {
    public let options: CopierHostOptions
    public let simulator: CopierSimulator
    public let panel: CopierPanelServer
    public let printPort: CopierPrintServer?
    private let modbus: ModbusServer
    /// The bound Modbus TCP port; nil on RTU.
    public let modbusPort: Int?

    public init(options: CopierHostOptions) throws(CopierHostError) {
        self.options = options
        let simulator: CopierSimulator
        do { simulator = try CopierSimulator(options: options.simulator) } catch { throw .simulator(error) }
        let endpoint: ModbusEndpoint
        switch options.modbus {
        case let .tcp(address): endpoint = .tcp(host: address.numericHost, port: address.port)
        case let .rtu(path): endpoint = .rtu(path: path)
        }
        let modbus = ModbusServer(endpoint: endpoint, unitID: Int32(CopierModbusMap.unitID)) { simulator.handleModbus($0) }
        do {
            try modbus.start()
        } catch {
            try? simulator.shutdown()
            throw .modbus(error)
        }
        do {
            panel = try CopierPanelServer(address: options.panel, simulator: simulator)
        } catch {
            modbus.stop()
            try? simulator.shutdown()
            throw .panel(error)
        }
        if let printAddress = options.print {
            do {
                printPort = try CopierPrintServer(address: printAddress, simulator: simulator)
            } catch {
                panel.stop()
                modbus.stop()
                try? simulator.shutdown()
                throw .print(error)
            }
        } else {
            printPort = nil
        }
        self.simulator = simulator
        self.modbus = modbus
        modbusPort = modbus.boundPort
    }

    /// The start-up line: where everything is, as one JSON object.
    public var readyLine: JSONValue {
        var object = JSONObject()
        object["modbus"] = modbusPort.map { .count($0) } ?? .null
        if case let .rtu(path) = options.modbus { object["rtu"] = .string(path) }
        object["panel"] = .count(panel.port)
        if let printPort { object["print"] = .count(printPort.port) }
        object["state_dir"] = .string(simulator.memoryStore.directory)
        object["scan_folder"] = .string(simulator.scanWriter.folder)
        if printPort != nil { object["tray_folder"] = .string(simulator.trayWriter.folder) }
        return .object(object)
    }

    /// Stops Modbus, powers the controller off (a running job is cancelled and its requester
    /// answered), saves the memory, then closes the panel.
    public func stop() throws(CopierMemoryError) {
        modbus.stop()
        defer {
            panel.stop()
            printPort?.stop()
        }
        try simulator.shutdown()
    }
}
