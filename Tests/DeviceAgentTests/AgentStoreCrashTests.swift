import Foundation
import Protocol
import Testing
@testable import DeviceAgent

/// The power-cut model (after Kafka's transactions test): appends run flat out from several
/// tasks while the database files are copied raw at a random moment, as a power cut would
/// freeze them. The copy must open cleanly (SQLite recovers its WAL), pass the open-time check,
/// and hold every append that had returned before the copy began. A true kill -9 of the agent
/// process belongs to the agent's end-to-end tests.
@Suite("Agent store: power-cut copies")
struct AgentStoreCrashTests {
    @Test func aCopyTakenMidAppendOpensWithEveryReturnedAppend() async throws {
        var roundsThatLostUnreturnedAppends = 0
        for round in 0..<4 {
            let fixture = try StoreFixture()
            // No WAL checkpoints while the test copies: the database file stays still and only
            // the WAL grows, so a file-by-file copy is a snapshot a power cut could leave.
            let store = try fixture.open(tuning: AgentStore.Tuning(walAutoCheckpointPages: 0))
            let returned = Collected<Event>()
            let writers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<4 {
                        group.addTask {
                            var index = 0
                            while !Task.isCancelled {
                                index += 1
                                let body = writer == 0 ? StoreFixture.copyJob(UInt32(index)) : StoreFixture.fault(index)
                                returned.append(try await store.append(body, at: StoreFixture.t0.adding(milliseconds: Int64(index))))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Let the writers get going, then cut at a random moment. Generous: in a full run on
            // a loaded 2-core machine the writer tasks got no turn on the pool for over 20 s.
            let deadline = ContinuousClock.now + .seconds(60)
            while returned.all.count < 50, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...200)))
            // The cut: what had returned, then at once how long the WAL was. Frames are only
            // ever appended to the WAL here, so its first `cut` bytes are the WAL as of that
            // instant, whatever the writers do while the files are copied.
            let beforeCopy = returned.all
            let cut = try Self.size(of: fixture.path + "-wal")
            let copy = try StoreFixture()
            try Self.copy(fixture.path, to: copy.path, bytes: nil)
            try Self.copy(fixture.path + "-wal", to: copy.path + "-wal", bytes: cut)
            try Self.copy(fixture.path + "-shm", to: copy.path + "-shm", bytes: nil)
            // Appends that return after the copy cannot be in it: let a few happen, so every
            // round really cuts while appends run, however busy the machine is.
            let copied = returned.all.count
            while returned.all.count < copied + 10, ContinuousClock.now < deadline + .seconds(20) {
                try await Task.sleep(for: .milliseconds(5))
            }
            writers.cancel()
            try await writers.value
            let appendedInAll = store.eventCount
            try store.close()

            let recovered = try copy.open()
            let stored = try recovered.events(from: 1, limit: Int.max)
            let bySequence = Dictionary(uniqueKeysWithValues: stored.map { ($0.sequence, $0) })
            #expect(!beforeCopy.isEmpty, "round \(round): appends ran before the copy")
            #expect(stored.count >= beforeCopy.count, "round \(round)")
            for event in beforeCopy {
                #expect(bySequence[event.sequence] == event, "round \(round): event \(event.sequence) returned before the copy")
            }
            #expect(EventChain.verify(stored, device: StoreFixture.deviceID) == .ok(head: ChainAnchor(after: stored[stored.count - 1])))
            if UInt64(stored.count) < appendedInAll { roundsThatLostUnreturnedAppends += 1 }
            // The recovered store carries on from its own head.
            let next = try await recovered.append(StoreFixture.fault(0), at: StoreFixture.t0)
            #expect(next.sequence == UInt64(stored.count + 1))
            try recovered.close()
        }
        #expect(roundsThatLostUnreturnedAppends == 4, "every copy was cut while appends ran")
    }

    static func size(of path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    /// Copies `source` (its first `bytes` bytes when given) to `target`.
    static func copy(_ source: String, to target: String, bytes: Int?) throws {
        let data = try #require(FileManager.default.contents(atPath: source))
        try data.prefix(bytes ?? data.count).write(to: URL(fileURLWithPath: target))
    }
}
