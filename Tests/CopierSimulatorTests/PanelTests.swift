import Foundation
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

@Suite("Front panel over TCP", .serialized)
struct PanelTests {
    @Test func badLinesGetAnErrorAndTheConnectionStaysUsable() throws {
        let copier = try RunningCopier()
        let panel = try copier.panel()
        #expect(try panel.send(line: "hello") == PanelStatus.error("not JSON: unexpected character 'h' at byte 0"))
        #expect(try panel.send(line: #"{"cmd":"job","pages":1,"color":true}"#).objectValue?["error"] != nil)
        #expect(try panel.send(line: #"{"cmd":"job","pages":1,"paper":"A3"}"#).objectValue?["error"] == nil)
        let long = #"{"cmd":"status","x":""# + String(repeating: "y", count: 10_000) + "\"}"
        #expect(try panel.send(line: long) == PanelStatus.error("request line longer than 4096 bytes"))
        let status = try panel.send(.status, timeout: .seconds(5))
        #expect(status.objectValue?["state"] == "locked")
        #expect(status.objectValue?["model"] == "IMP-SIM-C45")
    }

    @Test func aJobOnALockedCopierIsAnsweredAtOnce() throws {
        let copier = try RunningCopier()
        let answer = try copier.panel().send(line: #"{"cmd":"job","pages":4}"#, timeout: .seconds(2))
        #expect(answer.text == #"{"job":null,"pages_printed":0,"stopped":"locked","scans":[]}"#)
    }

    @Test func refusalsThatAreNotStopsAreErrors() throws {
        let copier = try RunningCopier(model: .simulatedMono)
        try copier.modbusClient().unlock(tag: 1, budget: 5)
        let answer = try copier.panel().send(line: #"{"cmd":"job","pages":1,"paper":"A3"}"#, timeout: .seconds(2))
        #expect(answer == PanelStatus.error("paper A3 is not supported by IMP-SIM-M30 (it takes A4, B5, Letter, Legal)"))
    }

    @Test func aHardwareFaultStopsTheJobAndHoldsTheCopier() throws {
        let copier = try RunningCopier(pagesPerSecond: 20)
        let client = try copier.modbusClient()
        try client.unlock(tag: 1, budget: 100, watchdog: 60000)
        let running = JobInBackground(copier, try CopierJobRequest(copies: 1, originals: 1000))
        try waitUntil { try client.readInputRegisters(address: 8, count: 1) == [CopierState.copying.rawValue] }
        let status = try copier.panel().send(.copierFault(.paperJam), timeout: .seconds(2))
        #expect(status.objectValue?["state"] == "fault")
        #expect(status.objectValue?["fault"] == 1)
        let outcome = try running.outcome()
        #expect(outcome.end == .fault && outcome.pagesPrinted < 1000)
        #expect(try copier.panel().send(line: #"{"cmd":"job","pages":1}"#).text == #"{"job":null,"pages_printed":0,"stopped":"fault","scans":[]}"#)
        let cleared = try copier.panel().send(.copierFault(.none), timeout: .seconds(2))
        #expect(cleared.objectValue?["state"] == "locked" && cleared.objectValue?["fault"] == 0)
    }

    @Test func cancelAndRelayZeroEndARunningJob() throws {
        let copier = try RunningCopier(pagesPerSecond: 20)
        let client = try copier.modbusClient()
        try client.unlock(tag: 1, budget: 100, watchdog: 60000)
        let first = JobInBackground(copier, try CopierJobRequest(copies: 1, originals: 1000))
        try waitUntil { try client.readInputRegisters(address: 8, count: 1) == [CopierState.copying.rawValue] }
        #expect(try copier.panel().send(.job(CopierJobRequest(copies: 1, originals: 1)), timeout: .seconds(2)) == PanelStatus.error("the copier is busy with job 1"))
        #expect(try copier.panel().send(.cancel, timeout: .seconds(2)) == .object(["cancelled": 1]))
        #expect(try first.outcome().end == .cancelled)
        #expect(try copier.panel().send(.cancel, timeout: .seconds(2)) == PanelStatus.error("no job is running"))

        let second = JobInBackground(copier, try CopierJobRequest(copies: 1, originals: 1000))
        try waitUntil { try client.readInputRegisters(address: 8, count: 1) == [CopierState.copying.rawValue] }
        try client.writeCoil(address: 0, false)
        let outcome = try second.outcome()
        #expect(outcome.sequence == 2 && outcome.end == .lockedByAgent)
        #expect(try client.record(2).end == .lockedByAgent)
    }

    @Test func shuttingDownCancelsTheRunningJobAndSavesIt() throws {
        let directory = try TemporaryDirectory("copier-sim")
        let copier = try RunningCopier(pagesPerSecond: 20, directory: directory)
        try copier.modbusClient().unlock(tag: 3, budget: 100, watchdog: 60000)
        let running = JobInBackground(copier, try CopierJobRequest(copies: 1, originals: 1000))
        try waitUntil { copier.host.simulator.controllerSnapshot.currentJob?.pagesPrinted ?? 0 >= 2 }
        try copier.stop()
        let outcome = try running.outcome()
        #expect(outcome.end == .cancelled && outcome.pagesPrinted >= 2)
        #expect(outcome.scans.count == Int(outcome.pagesPrinted))

        let again = try RunningCopier(directory: directory)
        let controller = again.host.simulator.controllerSnapshot
        #expect(controller.bootCount == 2)
        #expect(controller.latestSequence == 1)
        #expect(controller.totals.pages == outcome.pagesPrinted)
        #expect(controller.ring[1]?.end == .cancelled && controller.ring[1]?.pages == outcome.pagesPrinted)
        let client = try again.modbusClient()
        #expect(try client.read32(CopierModbusMap.Input.bootCount) == 2)
    }

    @Test func aFaultFoundAtPowerOnHoldsTheCopierFromTheStart() throws {
        let directory = try TemporaryDirectory("copier-sim")
        let simulator = try CopierSimulator(options: CopierSimulatorOptions(stateDirectory: directory.path, faultAtStart: .doorOpen))
        defer { try? simulator.shutdown() }
        var controller = simulator.controllerSnapshot
        #expect(controller.state == .fault && controller.fault == .doorOpen)
        #expect(controller.input(CopierModbusMap.Input.state, at: controller.now) == [3])
        #expect(controller.input(CopierModbusMap.Input.faultCode, at: controller.now) == [4])
        #expect(controller.latestSequence == 0, "no job was running, so none ended")
    }

    @Test func aSecondModelForTheSameStateIsRefused() throws {
        let directory = try TemporaryDirectory("copier-sim")
        try RunningCopier(model: .simulatedColour, directory: directory).stop()
        let error = #expect(throws: CopierHostError.self) { try RunningCopier(model: .simulatedMono, directory: directory) }
        #expect(error?.description.contains("is a IMP-SIM-C45") == true)
    }
}

/// A panel job run on a thread of its own, for tests that act while it runs.
final class JobInBackground: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<CopierJobOutcome, any Error> = .failure(ProcessFailure(description: "not finished"))

    init(_ copier: RunningCopier, _ request: CopierJobRequest) {
        let address = copier.panelAddress
        Thread.detachNewThread { [self] in
            result = Result { try CopierJobOutcome(json: CopierPanelClient(address: address).send(.job(request), timeout: .seconds(20))) }
            done.signal()
        }
    }

    func outcome(timeout: Duration = .seconds(10)) throws -> CopierJobOutcome {
        guard done.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .success else {
            throw ProcessFailure(description: "the job did not end within \(timeout)")
        }
        return try result.get()
    }
}

/// Polls `condition` every 5 ms for up to `timeout`.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw ProcessFailure(description: "condition not met within \(timeout)") }
        Thread.sleep(forTimeInterval: 0.005)
    }
}
