import ArgumentParser
import DeviceAgent
import Dispatch
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: lock the copier, serve taps on the local API, log every job. SIGINT/SIGTERM stop it cleanly."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let service: AgentService
        do { service = try await AgentService(config: config) } catch { throw ValidationError("\(error)") }
        await service.start()
        // One ready line, written unbuffered, so scripts and tests know the agent is serving.
        let ready = #"{"api":"\#(config.localAPISocket)","device":"\#(config.deviceID)","copier":"\#(config.modbus)"}"# + "\n"
        FileHandle.standardOutput.write(Data(ready.utf8))
        await waitForTermination()
        await service.stop()
    }
}

/// Returns when SIGINT or SIGTERM arrives. The signals are ignored first so that only this
/// handler sees them (and a parent that ignored SIGTERM does not keep us from stopping).
func waitForTermination() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = Once()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { if once.claim() { continuation.resume() } }
            source.resume()
            sources.append(source)
        }
        SignalSources.keep(sources)
    }
}

/// Keeps the signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) static var all: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { all += sources }
}

final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool { lock.withLock { defer { done = true }; return !done } }
}
