import Dispatch
import Foundation
import ModbusIO
import Protocol

/// The agent's Modbus link to the copier controller (docs/modbus-map.md). libmodbus calls block
/// for up to the response timeout, so they run on one serial dispatch queue of their own, never
/// on the Swift concurrency pool; the context lives on that queue only. Every write is an
/// absolute value, so a retry after a timeout is harmless. A failed call leaves the link to
/// reconnect on the next call; the caller decides how often to retry (see `Backoff`).
///
/// Every operation is `nonisolated(nonsending)`: it is put on the queue from the caller's own
/// executor before the caller suspends, so operations reach the copier in the order the agent's
/// actor issued them. (A plain nonisolated async method hops to the global pool first; a `lock`
/// issued after an `unlock` could then overtake it and leave the relay on.)
public final class CopierLink: @unchecked Sendable {
    public let endpoint: ModbusEndpoint
    private let queue = DispatchQueue(label: "copier-link")
    private let client: ModbusClient  // used on `queue` only
    private var heartbeatCounter: UInt16 = 0  // on `queue` only

    public init(endpoint: ModbusEndpoint, unitID: Int = Int(CopierModbusMap.unitID), responseTimeout: Duration = .milliseconds(500)) {
        self.endpoint = endpoint
        client = ModbusClient(endpoint: endpoint, unitID: Int32(unitID), responseTimeout: responseTimeout)
    }

    /// Runs `body` on the link's queue, connecting first if needed.
    nonisolated(nonsending) func perform<T: Sendable>(_ body: @escaping @Sendable (ModbusClient) throws -> T) async throws(CopierLinkError) -> T {
        let result: Result<T, CopierLinkError> = await withCheckedContinuation { continuation in
            queue.async { [self] in
                do {
                    if !client.isConnected { try client.connect() }
                    continuation.resume(returning: .success(try body(client)))
                } catch let error as ModbusError {
                    continuation.resume(returning: .failure(.modbus(error)))
                } catch let error as CopierLinkError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.unexpected(String(describing: error))))
                }
            }
        }
        return try result.get()
    }

    /// Relay off. The first thing the agent does, and the last.
    nonisolated(nonsending) public func forceLock() async throws(CopierLinkError) {
        try await perform { try $0.writeCoil(address: Int(CopierModbusMap.Coils.relay.address), false) }
    }

    nonisolated(nonsending) public func setWatchdog(milliseconds: UInt16) async throws(CopierLinkError) {
        try await perform { try $0.writeRegister(address: Int(CopierModbusMap.Holding.watchdogTimeout.address), milliseconds) }
    }

    /// Session tag, then page budget, then relay on: the order docs/modbus-map.md gives, so the
    /// copier never runs with an old budget or tag.
    nonisolated(nonsending) public func unlock(sessionTag: UInt32, pageBudget: UInt32) async throws(CopierLinkError) {
        try await perform { client in
            try client.writeRegisters(address: Int(CopierModbusMap.Holding.sessionTag.address), RegisterPair.registers(sessionTag))
            try client.writeRegisters(address: Int(CopierModbusMap.Holding.pageBudget.address), RegisterPair.registers(pageBudget))
            try client.writeCoil(address: Int(CopierModbusMap.Coils.relay.address), true)
        }
    }

    nonisolated(nonsending) public func lock() async throws(CopierLinkError) { try await forceLock() }

    /// Restarts the copier's watchdog (any value; a counter helps when reading a capture).
    nonisolated(nonsending) public func heartbeat() async throws(CopierLinkError) {
        try await perform { [self] client in
            heartbeatCounter &+= 1
            try client.writeRegister(address: Int(CopierModbusMap.Holding.heartbeat.address), heartbeatCounter)
        }
    }

    /// The heartbeat for a caller on a thread of its own (`CopierHeartbeat`): waits on the
    /// link's queue, up to the response timeout. Never call it from a task.
    public func heartbeatNow() throws(CopierLinkError) {
        let result: Result<Void, CopierLinkError> = queue.sync {
            do throws(ModbusError) {
                if !client.isConnected { try client.connect() }
                heartbeatCounter &+= 1
                try client.writeRegister(address: Int(CopierModbusMap.Holding.heartbeat.address), heartbeatCounter)
                return .success(())
            } catch {
                return .failure(.modbus(error))
            }
        }
        try result.get()
    }

    nonisolated(nonsending) public func relayIsOn() async throws(CopierLinkError) -> Bool {
        try await perform { try $0.readCoils(address: Int(CopierModbusMap.Coils.relay.address), count: 1)[0] }
    }

    nonisolated(nonsending) public func pageBudget() async throws(CopierLinkError) -> UInt32 {
        try await perform { client in
            let registers = try client.readHoldingRegisters(address: Int(CopierModbusMap.Holding.pageBudget.address), count: 2)
            return RegisterPair.join(high: registers[0], low: registers[1])
        }
    }

    /// Input registers 0-23 in one request.
    nonisolated(nonsending) public func status() async throws(CopierLinkError) -> CopierStatusBlock {
        try await perform { client in
            let block = CopierModbusMap.Input.statusBlock
            let registers = try client.readInputRegisters(address: Int(block.address), count: Int(block.count))
            do throws(CopierStatusError) { return try CopierStatusBlock(registers: registers) } catch { throw CopierLinkError.badStatus(error) }
        }
    }

    /// The ring slot where job `sequence` is (or was) kept.
    nonisolated(nonsending) public func jobSlot(sequence: UInt32) async throws(CopierLinkError) -> CopierJobSlotReading {
        try await perform { client in
            let slot = CopierJobRing.slot(for: sequence)
            let registers = try client.readInputRegisters(address: Int(slot.address), count: Int(slot.count))
            do throws(CopierJobRecordError) {
                return try CopierJobRing.reading(registers, expecting: sequence)
            } catch {
                throw CopierLinkError.badJobRecord(sequence: sequence, error)
            }
        }
    }

    /// Closes the connection (the next call reconnects).
    nonisolated(nonsending) public func disconnect() async {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                client.close()
                continuation.resume()
            }
        }
    }
}

public enum CopierLinkError: Error, Equatable, Sendable, CustomStringConvertible {
    case modbus(ModbusError)
    case badStatus(CopierStatusError)
    case badJobRecord(sequence: UInt32, CopierJobRecordError)
    case unexpected(String)

    public var description: String {
        switch self {
        case let .modbus(error): return "copier link: \(error)"
        case let .badStatus(error): return "copier link: \(error)"
        case let .badJobRecord(sequence, error): return "copier link: job \(sequence): \(error)"
        case let .unexpected(text): return "copier link: \(text)"
        }
    }
}
