import Foundation
import Glibc
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import DeviceAgent

/// `imprimatur-agent flash` against a running `imprimatur-agent run` and the real simulated
/// copier, all real processes: the agent is killed mid-flash, and the copier stays on its image
/// and the rerun resumes; a refused image exits non-zero with the reason.
@Suite("imprimatur-agent flash", .serialized)
struct AgentFlashProcessTests {
    typealias S = FlashSamples

    static func runningVersion(_ copier: SimulatedCopier) throws -> FirmwareVersion {
        let client = ModbusClient(endpoint: copier.endpoint, responseTimeout: .seconds(2))
        try client.connect()
        defer { client.close() }
        let registers = try client.readInputRegisters(address: 20, count: 3)
        return FirmwareVersion(major: registers[0], minor: registers[1], patch: registers[2])
    }

    static func firmwareStatus(_ copier: SimulatedCopier) throws -> FirmwareSlotStatus {
        let client = ModbusClient(endpoint: copier.endpoint, responseTimeout: .seconds(2))
        try client.connect()
        defer { client.close() }
        return try FirmwareSlotStatus(registers: try client.readInputRegisters(address: 1000, count: 16))
    }

    @Test func killedAgentMidFlashThenTheRerunCompletes() async throws {
        let directory = try TemporaryDirectory("agent-flash")
        let copier = try SimulatedCopier(stateDirectory: directory.appending("copier"), extra: S.vendorArguments)
        defer { copier.stop() }
        let config = try AgentProcessTests.prepareAgent(in: directory, copier: copier, watchdogMilliseconds: 2000)
        // Generous Modbus timeouts: the whole suite runs at once on a loaded machine.
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "watchdog_ms = 2000", with: "watchdog_ms = 2000\nresponse_timeout_ms = 3000")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let imagePath = directory.appending("copier-1.1.0.img")
        let image = S.image("1.1.0", padding: 150_000)
        try Data(image).write(to: URL(fileURLWithPath: imagePath))
        let agentBinary = try BuildProducts.executable("imprimatur-agent")

        let (agent, _) = try AgentProcessTests.startAgent(config: config)
        // Each Modbus answer 40 ms late: the transfer takes about 25 s, so the kill below lands
        // in the middle of it however the machine schedules this test.
        try copier.fault(["--delay-ms", "40"])
        let flash = try ChildProcess(agentBinary, ["flash", "--device", "copier", "--image", imagePath, "--config", config])
        do {
            try await waitUntil("part of the image is on the copier", timeout: .seconds(120)) {
                (try? Self.firmwareStatus(copier).bytesReceived).map { Int($0) > image.count / 4 } ?? false
            }
        } catch {
            agent.send(SIGKILL)
            _ = try? flash.waitForExit(timeout: .seconds(30))
            Issue.record("flash said: \(flash.remainingOutput()) \(flash.standardError); agent said: \(agent.standardError.suffix(4000))")
            throw error
        }
        agent.send(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(10))
        try copier.fault(["--clear"])
        #expect(try flash.waitForExit(timeout: .seconds(20)) != 0, "the client must not report success when its agent died")
        #expect(try Self.runningVersion(copier) == S.version("1.0.0"))
        let kept = try Self.firmwareStatus(copier)
        #expect(kept.state == .receiving && kept.bytesReceived > 0 && Int(kept.bytesReceived) < image.count)

        let (again, _) = try AgentProcessTests.startAgent(config: config)
        defer {
            again.send(SIGTERM)
            _ = try? again.waitForExit(timeout: .seconds(10))
        }
        let rerun = try ChildProcess.run(agentBinary, ["flash", "--device", "copier", "--image", imagePath, "--config", config], timeout: .seconds(120))
        #expect(rerun.status == 0, "\(rerun.output) \(rerun.error)")
        #expect(rerun.output.contains("copier confirmed: the device runs 1.1.0"), "\(rerun.output)")
        #expect(try Self.runningVersion(copier) == S.version("1.1.0"))

        // A refused image: the reason, and exit status 1.
        let strangerPath = directory.appending("stranger.img")
        try Data(S.image("1.2.0", signer: S.stranger)).write(to: URL(fileURLWithPath: strangerPath))
        let refused = try ChildProcess.run(agentBinary, ["flash", "--device", "copier", "--image", strangerPath, "--config", config], timeout: .seconds(60))
        #expect(refused.status == 1)
        #expect(refused.output.contains("which this device does not trust"), "\(refused.output)")
        #expect(try Self.runningVersion(copier) == S.version("1.1.0"))
    }
}
