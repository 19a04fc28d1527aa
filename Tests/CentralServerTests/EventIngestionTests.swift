import Protocol
import Testing
@testable import CentralServer

@Suite("Event ingestion checks")
struct EventIngestionTests {
    static let device = try! DeviceID("copier-1")

    static func chain(_ count: Int, device: DeviceID = device) -> [Event] {
        var events: [Event] = []
        var previous = Hash32.zero
        for sequence in 1...count {
            let event = try! Event(
                deviceID: device, sequence: UInt64(sequence), previousHash: previous,
                time: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64(sequence)),
                body: .fault(try! FaultEvent(component: "test", code: UInt32(sequence), message: "event \(sequence)"))
            )
            previous = event.hash
            events.append(event)
        }
        return events
    }

    static func batch(_ events: ArraySlice<Event>) -> UplinkMessage.EventBatch {
        try! UplinkMessage.EventBatch(firstSequence: events.first!.sequence, events: events.map { $0.wireBytes() })
    }

    static func check(_ events: ArraySlice<Event>, storedUpTo stored: Int, all: [Event]) -> Result<EventIngestion.Accepted, EventIngestion.Refusal> {
        let head = stored == 0 ? nil : EventIngestion.Head(sequence: UInt64(stored), hash: all[stored - 1].hash)
        return EventIngestion.check(batch: batch(events), device: device, head: head) { sequence in
            sequence <= UInt64(stored) ? all[Int(sequence) - 1].hash : nil
        }
    }

    @Test func aFreshChainIsAccepted() throws {
        let events = Self.chain(5)
        let accepted = try Self.check(events[0..<5], storedUpTo: 0, all: events).get()
        #expect(accepted.newEvents == events && accepted.duplicates == 0)
        #expect(accepted.head == .init(sequence: 5, hash: events[4].hash))
    }

    @Test func aResentBatchIsStoredOnce() throws {
        let events = Self.chain(6)
        let accepted = try Self.check(events[2..<6], storedUpTo: 4, all: events).get()
        #expect(accepted.duplicates == 2)
        #expect(accepted.newEvents.map(\.sequence) == [5, 6])
        let again = try Self.check(events[0..<6], storedUpTo: 6, all: events).get()
        #expect(again.newEvents.isEmpty && again.duplicates == 6 && again.head?.sequence == 6)
    }

    @Test func aGapIsRefused() {
        let events = Self.chain(6)
        #expect(throws: EventIngestion.Refusal.gap(after: 2, found: 4)) { try Self.check(events[3..<6], storedUpTo: 2, all: events).get() }
    }

    @Test func aChangedEventIsRefusedAndLocated() {
        var events = Self.chain(4)
        let original = events[2]
        events[2] = try! Event(deviceID: Self.device, sequence: 3, previousHash: original.previousHash, time: original.time,
                               body: .fault(try! FaultEvent(component: "test", code: 999, message: "forged")))
        // Event 3 itself chains from 2, but event 4's previous hash no longer matches it.
        #expect(throws: EventIngestion.Refusal.chainBreak(sequence: 4)) { try Self.check(events[0..<4], storedUpTo: 0, all: events).get() }
    }

    @Test func aResendThatDiffersFromWhatIsStoredIsRefused() {
        let events = Self.chain(3)
        var tampered = events
        tampered[1] = try! Event(deviceID: Self.device, sequence: 2, previousHash: events[0].hash, time: events[1].time,
                                 body: .fault(try! FaultEvent(component: "test", code: 7, message: "rewritten")))
        let result = EventIngestion.check(batch: Self.batch(tampered[0..<3]), device: Self.device,
                                          head: .init(sequence: 3, hash: events[2].hash)) { events[Int($0) - 1].hash }
        #expect(throws: EventIngestion.Refusal.differsFromStored(sequence: 2)) { try result.get() }
    }

    @Test func anotherDevicesEventsAreRefused() {
        let other = Self.chain(2, device: try! DeviceID("copier-2"))
        #expect(throws: EventIngestion.Refusal.wrongDevice(sequence: 1, found: try! DeviceID("copier-2"))) {
            try Self.check(other[0..<2], storedUpTo: 0, all: other).get()
        }
    }

    @Test func malformedBytesAreRefused() {
        let batch = try! UplinkMessage.EventBatch(firstSequence: 1, events: [[1, 2, 3]])
        let result = EventIngestion.check(batch: batch, device: Self.device, head: nil) { _ in nil }
        guard case .failure(.malformed(sequence: 1, _)) = result else { Issue.record("\(result)"); return }
    }
}
