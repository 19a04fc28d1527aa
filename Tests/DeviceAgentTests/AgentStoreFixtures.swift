import Foundation
import GRDB
import Protocol
import TestSupport
@testable import DeviceAgent

/// A store in a fresh temporary directory, with fixed device id and key, and event bodies
/// like the ones the agent records.
final class StoreFixture: @unchecked Sendable {
    static let deviceID = try! DeviceID("copier-3f")
    static let deviceKey = try! SigningKey(seed: Array(1...32))
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let alice = try! UserID("alice")
    static let grantID = GrantID(high: 0x0011_2233_4455_6677, low: 0x8899_aabb_ccdd_eeff)

    let directory: TemporaryDirectory
    var path: String { directory.appending("agent.db") }

    init() throws {
        directory = try TemporaryDirectory("agent-store")
    }

    func open(key: SigningKey = StoreFixture.deviceKey, tuning: AgentStore.Tuning = .init()) throws -> AgentStore {
        try AgentStore.open(path: path, deviceID: Self.deviceID, deviceKey: key, tuning: tuning)
    }

    /// The error opening the store throws; nil when it opens.
    func openError() -> AgentStoreError? {
        do {
            let store = try open()
            try? store.close()
            return nil
        } catch let error as AgentStoreError {
            return error
        } catch {
            return .sqlite(operation: "unexpected", message: "\(error)")
        }
    }

    /// Edits the closed store's database behind the store's back, as damage or an attacker would.
    func tamper(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try body(db) }
        try queue.close()
    }

    /// Appends `count` fault events one by one.
    @discardableResult
    static func appendFaults(_ count: Int, to store: AgentStore, from first: Int = 1) async throws -> [Event] {
        var events: [Event] = []
        for index in first..<(first + count) {
            events.append(try await store.append(fault(index), at: t0.adding(seconds: Int64(index))))
        }
        return events
    }

    static func fault(_ index: Int) -> EventBody {
        .fault(try! FaultEvent(component: "copier", code: UInt32(index), message: "paper jam in tray 2"))
    }

    static func copyJob(_ jobSequence: UInt32, session: UInt64 = 1, pages: UInt32 = 12) -> EventBody {
        .copyJob(try! CopyJobEvent(
            sessionID: session, copierJobSequence: jobSequence, userID: alice, grantID: grantID,
            pages: pages, copies: 2, colourPages: pages / 3, monoPages: pages - pages / 3, duplex: true,
            paperSize: .a4, started: t0, ended: t0.adding(seconds: 40), end: .completed))
    }
}

/// Collects values from many tasks.
final class Collected<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []

    func append(_ value: Value) { lock.withLock { values.append(value) } }
    var all: [Value] { lock.withLock { values } }
}
