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
            panel: SocketAddress(host: "127.0.0.1", port: 0),
            print: SocketAddress(host: "127.0.0.1", port: 0)
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

    var printAddress: SocketAddress { SocketAddress(host: "127.0.0.1", port: host.printPort!.port) }

    /// Sends raw bytes to the print port and reads its one status line.
    func sendToPrintPort(_ bytes: [UInt8], closeAfterSending: Bool = false) throws -> String {
        let socket = try LineSocket.connect(to: printAddress)
        defer { socket.close() }
        try socket.send(bytes: bytes, peer: "print port")
        if closeAfterSending { shutdown(socket.fd, Int32(SHUT_WR)) }
        let deadline = ContinuousClock.now + .seconds(30)
        switch socket.readLine(maximumLength: 4096, keepWaiting: { ContinuousClock.now < deadline }) {
        case let .line(line): return line
        case let other: throw SocketError("read from", "print port", reason: "\(other)")
        }
    }

    /// Prints `pdf` on the print port.
    func printJob(_ pdf: [UInt8], id: String = "split-1-1", copies: UInt16 = 1, colour: Bool = false, paper: PaperSize = .a4) throws -> PrintPortReply {
        let header = try PrintJobHeader(jobID: id, copies: copies, colour: colour, paper: paper, pdfLength: pdf.count)
        return try PrintPortReply(line: sendToPrintPort(header.encoded + pdf))
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
