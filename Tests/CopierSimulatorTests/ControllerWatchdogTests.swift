import ModbusIO
import Protocol
import Testing
@testable import CopierSimulator

@Suite("Copier controller: watchdog and relay")
struct ControllerWatchdogTests {
    @Test func powerOnValuesAreThoseOfTheMap() {
        var controller = CopierController.fresh()
        let image = controller.registerImage(now: .zero)
        #expect(image.coils == [false])
        #expect(image.holdingRegisters == [2000, 0, 0, 0, 0, 0])
        #expect(Array(image.inputRegisters[0..<24]) == [
            0, 0, 0, 0, 0, 0, 0, 0,  // totals and current job
            0, 0,  // state locked, no fault
            0, 0,  // latest job
            16, 14, 100,  // ring shape
            0,  // watchdog remaining
            0, 0,  // uptime
            0, 1,  // boot count: this power-on
            1, 0, 0,  // firmware 1.0.0
            0x0101,  // IMP-SIM-C45
        ])
        #expect(image.inputRegisters.count == 324)
        #expect(controller.state == .locked)
    }

    @Test func watchdogExpiryLocksAndZeroesTheBudget() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 50, at: ms(0))
        controller.tick(now: ms(1999))
        #expect(controller.relay && controller.pageBudget == 50)
        #expect(controller.watchdogRemainingMilliseconds == 1)
        controller.tick(now: ms(2000))
        #expect(!controller.relay)
        #expect(controller.pageBudget == 0)
        #expect(controller.state == .locked)
        #expect(controller.watchdogRemainingMilliseconds == 0)
    }

    @Test func heartbeatRestartsTheWatchdog() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 50, at: ms(0))
        controller.heartbeat(7, at: ms(1500))
        controller.tick(now: ms(3000))
        #expect(controller.relay, "the heartbeat at 1500 ms moved the deadline to 3500 ms")
        #expect(controller.watchdogRemainingMilliseconds == 500)
        #expect(controller.heartbeat == 7)
        controller.tick(now: ms(3500))
        #expect(!controller.relay)
    }

    @Test func heartbeatWhileLockedIsAcceptedAndDoesNothing() {
        var controller = CopierController.fresh()
        #expect(controller.handle(.writeRegister(address: 1, value: 9), now: ms(10)).isAnswer)
        #expect(!controller.relay && controller.watchdogDeadline == nil)
        #expect(controller.heartbeat == 9)
    }

    @Test func aNewTimeoutAppliesFromTheNextRestart() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 50, at: ms(0))
        #expect(controller.handle(.writeRegister(address: 0, value: 500), now: ms(100)).isAnswer)
        controller.tick(now: ms(1000))
        #expect(controller.relay, "the running period is still 2000 ms")
        controller.heartbeat(at: ms(1000))
        controller.tick(now: ms(1499))
        #expect(controller.relay)
        controller.tick(now: ms(1500))
        #expect(!controller.relay)
    }

    @Test func timeoutAndHeartbeatInOneWriteRestartWithTheNewPeriod() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 50, at: ms(0))
        #expect(controller.handle(.writeRegisters(address: 0, values: [300, 1]), now: ms(100)).isAnswer)
        controller.tick(now: ms(399))
        #expect(controller.relay)
        controller.tick(now: ms(400))
        #expect(!controller.relay)
    }

    @Test func watchdogEndsARunningJobWithReasonThree() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 100, at: ms(0))
        let sequence = try controller.start(originals: 50, at: ms(0))
        // Pages at 100, 200, ... ms; the watchdog runs out at 2000 ms, before the page due then.
        controller.tick(now: ms(10_000))
        let ended = controller.endedJobs()
        #expect(ended.count == 1)
        #expect(ended.first?.sequence == sequence)
        #expect(ended.first?.pages == 19)
        #expect(ended.first?.end == .watchdogExpired)
        #expect(controller.pageBudget == 0 && !controller.relay)
    }

    @Test func relayZeroZeroesTheBudgetAndEndsTheJob() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 100, at: ms(0))
        _ = try controller.start(originals: 10, at: ms(0))
        controller.tick(now: ms(350))
        #expect(controller.handle(.writeCoil(address: 0, value: false), now: ms(350)).isAnswer)
        #expect(controller.pageBudget == 0)
        #expect(controller.state == .locked)
        let ended = controller.endedJobs()
        #expect(ended.map(\.end) == [.lockedByAgent])
        #expect(ended.map(\.pages) == [3])
    }

    @Test func relayZeroWhileLockedKeepsTheBudgetForTheUnlock() {
        var controller = CopierController.fresh()
        #expect(controller.handle(.writeRegisters(address: 2, values: [0, 8]), now: ms(0)).isAnswer)
        #expect(controller.handle(.writeCoil(address: 0, value: false), now: ms(1)).isAnswer)
        #expect(controller.pageBudget == 8)
        #expect(controller.handle(.writeCoil(address: 0, value: true), now: ms(2)).isAnswer)
        #expect(controller.state == .ready)
    }

    @Test func relayOneWithBudgetZeroIsIllegalDataValue() {
        var controller = CopierController.fresh()
        #expect(controller.handle(.writeCoil(address: 0, value: true), now: ms(0)).exceptionCode == 3)
        #expect(controller.handle(.writeCoils(address: 0, values: [true]), now: ms(0)).exceptionCode == 3)
        #expect(!controller.relay)
    }

    @Test func budgetWrittenToZeroWhileUnlockedLocks() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 10, at: ms(0))
        _ = try controller.start(originals: 5, at: ms(0))
        controller.tick(now: ms(250))
        #expect(controller.handle(.writeRegisters(address: 2, values: [0, 0]), now: ms(250)).isAnswer)
        #expect(!controller.relay)
        #expect(controller.endedJobs().map(\.end) == [.budgetExhausted])
    }

    @Test func inputFifteenCountsDownAndUptimeCountsUp() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 1, at: ms(1000))
        #expect(controller.input(CopierModbusMap.Input.watchdogRemaining, at: ms(1250)) == [1750])
        #expect(controller.input32(CopierModbusMap.Input.uptime, at: ms(2999)) == 2)
    }

    @Test func timeNeverGoesBack() {
        var controller = CopierController.fresh()
        controller.unlock(budget: 5, at: ms(1000))
        controller.tick(now: ms(500))
        #expect(controller.now == ms(1000))
        #expect(controller.watchdogRemainingMilliseconds == 2000)
    }
}
