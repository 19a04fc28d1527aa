import ArgumentParser
import DeviceAgent
import Dispatch
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: lock the copier (and the seal), serve taps on the local API, log every job. SIGINT/SIGTERM stop it cleanly."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let service: AgentService
        do { service = try await AgentService(config: config) } catch { throw ValidationError("\(error)") }
        await service.start()
        // One ready line, written unbuffered, so scripts and tests know the agent is serving.
        var fields = ["api": config.localAPISocket, "device": config.deviceID.value]
        if let modbus = config.modbus { fields["copier"] = "\(modbus)" }
        if let seal = config.seal { fields["seal"] = seal.sealID.value }
        let ready = String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
        FileHandle.standardOutput.write(Data(ready.utf8))
        await waitForTermination()
        await service.stop()
    }
}

/// Returns when SIGINT or SIGTERM arrives. The signals are ignored first so that only this
/// handler sees them (and a parent that ignored SIGTERM does not keep us from stopping).
/// The same shape as firmware-sim's `StopSignals`, waiting on a dispatch thread instead of
/// blocking the caller.
func waitForTermination() async {
    let received = DispatchSemaphore(value: 0)
    let sources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { received.signal() }
        source.resume()
        return source
    }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async {
            received.wait()
            continuation.resume()
        }
    }
    withExtendedLifetime(sources) {}
}
