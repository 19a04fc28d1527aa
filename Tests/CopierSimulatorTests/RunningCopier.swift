import LineIO
import Foundation
import ModbusIO
import Protocol
import TestSupport
@testable import CopierSimulator

/// A simulated copier served in this process on 127.0.0.1 (Modbus on a free TCP port, or RTU on
/// a serial path) with its panel on a free port and its state in a temporary directory.
final class RunningCopier {
    let directory: TemporaryDirectory
    let host: CopierHost
    private var stopped = false

    init(
        pagesPerSecond: Double = 500, model: CopierModel? = nil, modbus: CopierModbusListen = .tcp(SocketAddress(host: "127.0.0.1", port: 0)),
        directory: TemporaryDirectory? = nil
    ) throws {
        self.directory = try directory ?? TemporaryDirectory("copier-sim")
        host = try CopierHost(options: CopierHostOptions(
            simulator: CopierSimulatorOptions(
                stateDirectory: self.directory.appending("state"), model: model,
                pageRate: CopierPageRate(pagesPerSecond: pagesPerSecond)!
            ),
            modbus: modbus,
            panel: SocketAddress(host: "127.0.0.1", port: 0)
        ))
    }

    deinit { try? stop() }

    func stop() throws {
        guard !stopped else { return }
        stopped = true
        try host.stop()
    }

    var panelAddress: SocketAddress { SocketAddress(host: "127.0.0.1", port: host.panel.port) }

    /// A connected Modbus TCP client.
    func modbusClient(timeout: Duration = .milliseconds(1000)) throws -> ModbusClient {
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: host.modbusPort!), responseTimeout: timeout)
        try client.connect()
        return client
    }

    func panel() throws -> CopierPanelClient { try CopierPanelClient(address: panelAddress) }

    /// Runs a job at the panel and reads its answer.
    func job(_ request: CopierJobRequest) throws -> CopierJobOutcome {
        try CopierJobOutcome(json: panel().send(.job(request), timeout: .seconds(20)))
    }
}

extension ModbusClient {
    /// The agent's unlock sequence (docs/modbus-map.md, "Unlock").
    func unlock(tag: UInt32, budget: UInt32, watchdog: UInt16? = nil) throws {
        try writeRegisters(address: 4, RegisterPair.registers(tag))
        try writeRegisters(address: 2, RegisterPair.registers(budget))
        if let watchdog { try writeRegister(address: 0, watchdog) }
        try writeCoil(address: 0, true)
    }

    func read32(_ field: InputField) throws -> UInt32 {
        RegisterPair.value(in: try readInputRegisters(address: Int(field.address), count: 2), at: 0) ?? 0
    }

    func record(_ sequence: UInt32) throws -> CopierJobRecord {
        let slot = CopierJobRing.slot(for: sequence)
        return try CopierJobRecord(registers: readInputRegisters(address: Int(slot.address), count: Int(slot.count)))
    }
}

/// Messages gathered from several threads.
final class Findings: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ message: String) { lock.withLock { list.append(message) } }
    var all: [String] { lock.withLock { list } }
}
