import Foundation
import Protocol
import SealSimulator
import TestSupport
import Testing

@Suite struct SealMemoryStoreTests {
    @Test func counters_and_used_grants_survive_a_save_and_load() throws {
        let directory = try TemporaryDirectory()
        let store = try SealMemoryStore(directory: directory.path + "/state")
        #expect(try store.load() == SealMemory())
        let memory = SealMemory(totalStamps: 1234, refusedPresses: 2, usedGrants: [GrantID(high: 1, low: 2): SealFixtures.t0])
        try store.save(memory)
        #expect(try store.load() == memory)
    }

    @Test func a_damaged_file_is_refused_with_what_is_wrong() throws {
        let directory = try TemporaryDirectory()
        let store = try SealMemoryStore(directory: directory.path)
        try Data(#"{"format":1,"total_stamps":-3,"used_grants":{}}"#.utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(throws: SealStoreError.self) { try store.load() }
        do { _ = try store.load() } catch { #expect(error.reason.contains("total_stamps")) }
    }
}
