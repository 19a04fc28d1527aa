import Testing
@testable import Protocol

/// Tamper tests: each kind of damage to a device's chain is found, and found at the exact
/// sequence number where it happened.
@Suite("Event chain")
struct EventChainTests {
    let events = EventFixtures.chain(10)
    let device = EventFixtures.device

    func broken(_ sequence: UInt64, _ kind: ChainBreak.Kind) -> ChainVerification {
        .broken(ChainBreak(sequence: sequence, kind: kind))
    }

    @Test func anIntactChainVerifies() {
        #expect(EventChain.verify(events, device: device) == .ok(head: ChainAnchor(after: events[9])))
        #expect(ChainAnchor(after: events[9]).sequence == 10)
    }

    @Test func noEventsLeaveTheAnchorAsTheHead() {
        #expect(EventChain.verify([], device: device) == .ok(head: .genesis))
        let anchor = ChainAnchor(after: events[4])
        #expect(EventChain.verify([], device: device, from: anchor) == .ok(head: anchor))
    }

    @Test func eachEventCarriesThePreviousHash() {
        #expect(events[0].previousHash == .zero)
        for index in 1..<events.count {
            #expect(events[index].previousHash == events[index - 1].hash)
            #expect(events[index].sequence == UInt64(index + 1))
        }
    }

    @Test("a changed event is found at its own sequence number", arguments: [1, 4, 9])
    func changed(sequence: Int) {
        var tampered = events
        tampered[sequence - 1] = EventFixtures.altered(events[sequence - 1])
        #expect(EventChain.verify(tampered, device: device) == broken(UInt64(sequence), .changed))
    }

    /// Rewriting the next event's previous-hash field is indistinguishable from changing the
    /// event it points at; the break is reported there.
    @Test func aChangedPreviousHashIsReportedAtThePreviousEvent() throws {
        var tampered = events
        let original = events[5]
        tampered[5] = try Event(deviceID: device, sequence: 6, previousHash: EventFixtures.blob, time: original.time, body: original.body)
        #expect(EventChain.verify(tampered, device: device) == broken(5, .changed))
    }

    /// The last event has no successor to record its hash: a change to it is caught by the
    /// next event or by the signed checkpoint, not by the chain walk.
    @Test func aChangedLastEventChangesTheHead() {
        var tampered = events
        tampered[9] = EventFixtures.altered(events[9])
        guard case let .ok(head) = EventChain.verify(tampered, device: device) else {
            Issue.record("a changed last event should still chain")
            return
        }
        #expect(head != ChainAnchor(after: events[9]))
    }

    @Test("a removed event is found at its sequence number", arguments: [1, 2, 5, 9])
    func removed(sequence: Int) {
        var tampered = events
        tampered.remove(at: sequence - 1)
        #expect(EventChain.verify(tampered, device: device) == broken(UInt64(sequence), .removed))
    }

    @Test func removedEventsAtTheEndAreJustAShorterChain() {
        let shorter = Array(events.prefix(7))
        #expect(EventChain.verify(shorter, device: device) == .ok(head: ChainAnchor(after: events[6])))
    }

    @Test func swappedNeighboursAreReportedAtTheFirstEventOutOfPlace() {
        var tampered = events
        tampered.swapAt(3, 4)
        #expect(EventChain.verify(tampered, device: device) == broken(5, .reordered))
    }

    @Test func anEventMovedEarlierIsReportedAtItsNumber() {
        var tampered = events
        let moved = tampered.remove(at: 6)
        tampered.insert(moved, at: 2)
        #expect(EventChain.verify(tampered, device: device) == broken(7, .reordered))
    }

    @Test func anEventMovedLaterIsReportedWhereTheOrderBreaks() {
        var tampered = events
        let moved = tampered.remove(at: 2)
        tampered.insert(moved, at: 7)
        #expect(EventChain.verify(tampered, device: device) == broken(4, .reordered))
    }

    @Test func aDuplicatedEventIsInserted() {
        var tampered = events
        tampered.insert(events[2], at: 3)
        #expect(EventChain.verify(tampered, device: device) == broken(3, .inserted))
    }

    @Test func aForgedSecondEventWithAnExistingNumberIsInserted() {
        var tampered = events
        tampered.insert(EventFixtures.altered(events[2]), at: 6)
        #expect(EventChain.verify(tampered, device: device) == broken(3, .inserted))
    }

    @Test func anEventOfAnotherDeviceIsFound() throws {
        var tampered = events
        let original = events[5]
        tampered[5] = try Event(deviceID: EventFixtures.otherDevice, sequence: 6, previousHash: original.previousHash, time: original.time, body: original.body)
        #expect(EventChain.verify(tampered, device: device) == broken(6, .wrongDevice))
    }

    @Test func aWholeChainOfAnotherDeviceIsRefusedAtItsFirstEvent() {
        #expect(EventChain.verify(EventFixtures.chain(3, device: EventFixtures.otherDevice), device: device) == broken(1, .wrongDevice))
    }

    // MARK: continuing from an anchor

    @Test func aBatchContinuesFromTheAnchor() {
        let anchor = ChainAnchor(after: events[4])
        #expect(EventChain.verify(Array(events[5...]), device: device, from: anchor) == .ok(head: ChainAnchor(after: events[9])))
    }

    @Test func aBatchWithAnotherPastDoesNotContinueTheAnchor() {
        let anchor = ChainAnchor(sequence: 5, hash: EventFixtures.blob)
        #expect(EventChain.verify(Array(events[5...]), device: device, from: anchor) == broken(6, .doesNotContinueAnchor))
    }

    @Test func aBatchRepeatingTheAnchoredEventDoesNotContinueIt() {
        let anchor = ChainAnchor(after: events[4])
        #expect(EventChain.verify(Array(events[4...]), device: device, from: anchor) == broken(5, .doesNotContinueAnchor))
    }

    @Test func aBatchSkippingEventsAfterTheAnchorHasRemovedEvents() {
        let anchor = ChainAnchor(after: events[4])
        #expect(EventChain.verify(Array(events[7...]), device: device, from: anchor) == broken(6, .removed))
    }

    @Test func breaksDescribeThemselves() {
        #expect(ChainBreak(sequence: 4, kind: .changed).description == "event 4: changed")
        #expect(broken(9, .doesNotContinueAnchor).description == "broken at event 9: does not continue from the anchor")
    }
}
