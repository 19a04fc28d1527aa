import ModbusIO
import Protocol
import Testing
@testable import CopierSimulator

@Suite("Copier controller: jobs, budget, faults and the ring")
struct ControllerJobTests {
    @Test func budgetFiveStopsATenPageJobAtExactlyFive() throws {
        var controller = CopierController.fresh()
        controller.unlock(tag: 77, budget: 5, at: ms(0))
        let sequence = try controller.start(originals: 10, at: ms(0))
        controller.tick(now: ms(60_000))
        let pages = controller.takeEvents().filter { if case .pagePrinted = $0 { return true } else { return false } }
        #expect(pages.count == 5)
        #expect(controller.totals == CopierTotals(pages: 5, colourPages: 0, monoPages: 5))
        #expect(controller.pageBudget == 0 && !controller.relay && controller.state == .locked)
        let record = try controller.record(sequence, at: ms(60_000))
        #expect(record.pages == 5)
        #expect(record.end == .budgetExhausted)
        #expect(record.sessionTag == 77)
    }

    @Test func pagesComeOutOneIntervalApart() throws {
        var controller = CopierController.fresh(pagesPerSecond: 10)
        controller.unlock(budget: 100, at: ms(0))
        _ = try controller.start(originals: 10, at: ms(50))
        controller.tick(now: ms(149))
        #expect(controller.currentJob?.pagesPrinted == 0)
        #expect(controller.input32(CopierModbusMap.Input.currentJobPages, at: ms(150)) == 1)
        #expect(controller.input(CopierModbusMap.Input.state, at: ms(150)) == [CopierState.copying.rawValue])
        #expect(controller.input32(CopierModbusMap.Input.currentJobPages, at: ms(449)) == 3)
        #expect(controller.pageBudget == 97)
    }

    @Test func aJobThatCompletesOnTheLastUnitOfBudgetIsCompletedAndLocks() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 4, at: ms(0))
        let sequence = try controller.start(copies: 2, originals: 2, at: ms(0))
        controller.tick(now: ms(1000))
        #expect(try controller.record(sequence, at: ms(1000)).end == .completed)
        #expect(!controller.relay && controller.pageBudget == 0)
    }

    @Test func aCompletedJobLeavesTheCopierReady() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        let sequence = try controller.start(originals: 3, at: ms(0))
        controller.tick(now: ms(1000))
        #expect(controller.state == .ready)
        #expect(controller.pageBudget == 7)
        #expect(controller.latestSequence == sequence)
        #expect(controller.input32(CopierModbusMap.Input.currentJobPages, at: ms(1000)) == 0)
    }

    struct CountingCase: Sendable, CustomTestStringConvertible {
        let model: CopierModel
        let copies: UInt16
        let originals: UInt16
        let colour: Bool
        let duplex: Bool
        let colourPages: UInt32
        let monoPages: UInt32
        /// (copy, original, side) of each page.
        let positions: [String]
        var testDescription: String { "\(model) \(copies)×\(originals) colour \(colour) duplex \(duplex)" }
    }

    static let countingCases: [CountingCase] = [
        CountingCase(model: .simulatedColour, copies: 2, originals: 2, colour: false, duplex: false, colourPages: 0, monoPages: 4,
                     positions: ["1/1 front", "1/2 front", "2/1 front", "2/2 front"]),
        CountingCase(model: .simulatedColour, copies: 1, originals: 3, colour: true, duplex: true, colourPages: 3, monoPages: 0,
                     positions: ["1/1 front", "1/2 back", "1/3 front"]),
        CountingCase(model: .simulatedColour, copies: 2, originals: 3, colour: false, duplex: true, colourPages: 0, monoPages: 6,
                     positions: ["1/1 front", "1/2 back", "1/3 front", "2/1 front", "2/2 back", "2/3 front"]),
        // A mono copier asked for colour produces mono pages.
        CountingCase(model: .simulatedMono, copies: 1, originals: 2, colour: true, duplex: false, colourPages: 0, monoPages: 2,
                     positions: ["1/1 front", "1/2 front"]),
    ]

    @Test(arguments: countingCases)
    func pageCounting(_ test: CountingCase) throws {
        var controller = CopierController.fresh(test.model)
        controller.unlock(budget: 100, at: ms(0))
        let sequence = try controller.start(copies: test.copies, originals: test.originals, colour: test.colour, duplex: test.duplex, at: ms(0))
        controller.tick(now: ms(10_000))
        let events = controller.takeEvents()
        let positions = events.compactMap { event -> String? in
            guard case let .pagePrinted(page) = event else { return nil }
            #expect(page.colour == (test.colourPages > 0))
            return "\(page.copy)/\(page.original) \(page.side)"
        }
        #expect(positions == test.positions)
        let record = try controller.record(sequence, at: ms(10_000))
        #expect(record.colourPages == test.colourPages && record.monoPages == test.monoPages)
        #expect(record.copies == test.copies && record.duplex == test.duplex && record.end == .completed)
        #expect(controller.totals.colourPages == test.colourPages && controller.totals.monoPages == test.monoPages)
    }

    @Test func refusals() throws {
        var controller = CopierController.fresh(.simulatedMono)
        #expect(throws: CopierJobRefusal.locked) { try controller.start(originals: 1, at: ms(0)) }
        controller.unlock(budget: 10, at: ms(0))
        #expect(throws: CopierJobRefusal.paperNotSupported(.a3, model: .simulatedMono)) {
            try controller.start(originals: 1, paper: .a3, at: ms(0))
        }
        let sequence = try controller.start(originals: 5, at: ms(0))
        #expect(throws: CopierJobRefusal.busy(sequence: sequence)) { try controller.start(originals: 1, at: ms(0)) }
        controller.injectFault(.doorOpen, now: ms(10))
        #expect(throws: CopierJobRefusal.fault(.doorOpen)) { try controller.start(originals: 1, at: ms(20)) }
        #expect(throws: CopierJobRefusal.noCopies) { try CopierJobRequest(copies: 0, originals: 1) }
        #expect(throws: CopierJobRefusal.noOriginals) { try CopierJobRequest(copies: 1, originals: 0) }
    }

    @Test func faultStopsEverythingUntilClearedThenTheCopierIsLocked() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        let sequence = try controller.start(originals: 5, at: ms(0))
        controller.tick(now: ms(250))
        controller.injectFault(.paperJam, now: ms(250))
        #expect(controller.state == .fault)
        #expect(controller.input(CopierModbusMap.Input.state, at: ms(260)) == [3])
        #expect(controller.input(CopierModbusMap.Input.faultCode, at: ms(260)) == [1])
        #expect(!controller.relay && controller.pageBudget == 0)
        #expect(try controller.record(sequence, at: ms(260)).end == .fault)
        #expect(try controller.record(sequence, at: ms(260)).pages == 2)
        // The budget can be written, but the relay is refused with SERVER DEVICE FAILURE.
        #expect(controller.handle(.writeRegisters(address: 2, values: [0, 3]), now: ms(300)).isAnswer)
        #expect(controller.handle(.writeCoil(address: 0, value: true), now: ms(300)).exceptionCode == 4)
        controller.clearFault(now: ms(400))
        #expect(controller.state == .locked)
        #expect(controller.input(CopierModbusMap.Input.faultCode, at: ms(400)) == [0])
        #expect(controller.handle(.writeCoil(address: 0, value: true), now: ms(500)).isAnswer)
        #expect(controller.state == .ready)
    }

    @Test func cancelEndsTheJobWithReasonFive() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        #expect(controller.cancelJob(now: ms(0)) == nil)
        let sequence = try controller.start(originals: 5, at: ms(0))
        controller.tick(now: ms(120))
        let cancelled = controller.cancelJob(now: ms(120))
        let record = try #require(cancelled)
        #expect(record.sequence == sequence && record.pages == 1 && record.end == .cancelled)
        #expect(controller.state == .ready && controller.pageBudget == 9)
    }

    @Test func theRingWrapsAfterSixteenJobsAndEveryRecordDecodes() throws {
        var controller = CopierController.fresh()
        var time = ms(0)
        #expect(controller.handle(.writeRegister(address: 0, value: 60000), now: time).isAnswer)
        controller.unlock(tag: 9, budget: 1000, at: time)
        for job in 1...20 {
            let sequence = try controller.start(copies: UInt16(job), originals: 1, duplex: job % 2 == 0, paper: job % 3 == 0 ? .a3 : .a4, at: time)
            #expect(sequence == UInt32(job))
            time += ms(Int64(job) * 100 + 100)
            controller.heartbeat(at: time)
        }
        #expect(controller.latestSequence == 20)
        for sequence: UInt32 in 5...20 {
            let record = try controller.record(sequence, at: time)
            #expect(record.sequence == sequence)
            #expect(record.pages == sequence && record.copies == UInt16(sequence))
            #expect(record.duplex == (sequence % 2 == 0))
            #expect(record.paperSize == (sequence % 3 == 0 ? .a3 : .a4))
            #expect(record.sessionTag == 9 && record.end == .completed)
        }
        // Jobs 1-4 were overwritten by 17-20.
        for sequence: UInt32 in 1...4 {
            let registers = controller.input(CopierJobRing.slot(for: sequence), at: time)
            #expect(try CopierJobRing.reading(registers, expecting: sequence) == .overwritten(by: sequence + 16))
        }
    }

    @Test func theLatestSequenceAlwaysHasItsRecordInPlace() throws {
        // A reader that sees input 10-11 = n at any instant finds job n in its slot.
        var controller = CopierController.fresh(pagesPerSecond: 1000)
        controller.unlock(budget: 10_000, at: ms(0))
        var time = ms(0)
        for job in 1...40 {
            _ = try controller.start(originals: UInt16(job % 4 + 1), at: time)
            for _ in 0..<6 {
                time += ms(1)
                let latest = controller.input32(CopierModbusMap.Input.latestJobSequence, at: time)
                if latest > 0 {
                    #expect(try CopierJobRing.reading(controller.input(CopierJobRing.slot(for: latest), at: time), expecting: latest).isRecord)
                }
            }
            controller.heartbeat(at: time)
        }
        #expect(controller.latestSequence == 40)
    }

    @Test func eventsComeInOrderAndRecordTheJob() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        let sequence = try controller.start(originals: 2, colour: true, paper: .letter, at: ms(0))
        controller.tick(now: ms(500))
        let events = controller.takeEvents()
        #expect(events.count == 3)
        guard case let .pagePrinted(first) = events[0], case .pagePrinted = events[1], case let .jobEnded(record) = events[2] else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(first == CopierPage(sequence: sequence, number: 1, of: 2, copy: 1, original: 1, side: .front, colour: true, duplex: false, paper: .letter))
        #expect(record.colourPages == 2 && record.paperSize == .letter)
        #expect(controller.takeEvents().isEmpty)
    }

    @Test func memoryCarriesAcrossAPowerCycle() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        _ = try controller.start(originals: 3, colour: true, at: ms(0))
        controller.tick(now: ms(1000))
        var after = CopierController(poweringOnWith: controller.memory)
        #expect(after.bootCount == 2)
        #expect(after.totals == controller.totals)
        #expect(after.latestSequence == 1)
        #expect(after.state == .locked && after.pageBudget == 0 && after.watchdogTimeout == 2000)
        #expect(try after.record(1, at: ms(0)) == controller.record(1, at: ms(1000)))
        after.unlock(budget: 1, at: ms(0))
        #expect(try after.start(originals: 1, at: ms(0)) == 2)
    }
}

extension CopierJobSlotReading {
    var isRecord: Bool { if case .record = self { return true } else { return false } }
}
