import Foundation
import Glibc

/// Why a child process did not do what a test expected.
public struct ProcessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A program started by a test: its stdout read line by line as it comes, its stderr kept for
/// failure messages, signals sent to it, its exit awaited with a time limit.
public final class ChildProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let exited = DispatchSemaphore(value: 0)
    private var buffer: [UInt8] = []
    private let errorLock = NSLock()
    private var errorBytes: [UInt8] = []
    private let errorDrained = DispatchSemaphore(value: 0)

    /// `environment` adds to (or replaces in) this process's environment, e.g. UMOCKDEV_DIR.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.executable = executable
        self.arguments = arguments
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { [self] in
            let data = handle.readDataToEndOfFile()
            errorLock.withLock { errorBytes = Array(data) }
            errorDrained.signal()
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// The next line the program writes on stdout, without its newline.
    public func readLine(timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw failure("no line on stdout within \(timeout)") }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&entry, 1, milliseconds) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { throw failure("stdout closed before a whole line") }
            buffer += chunk[0..<count]
        }
    }

    /// Everything left on stdout once the program has ended.
    public func remainingOutput() -> String {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        defer { buffer.removeAll() }
        return String(decoding: buffer + Array(rest), as: UTF8.self)
    }

    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the program to end; returns its exit status (or 128 + the signal that ended it).
    @discardableResult
    public func waitForExit(timeout: Duration) throws -> Int32 {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        guard exited.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else {
            send(SIGKILL)
            throw failure("still running after \(timeout); killed")
        }
        exited.signal()  // later calls return at once
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// What the program wrote on stderr (complete once it has ended).
    public var standardError: String {
        _ = errorDrained.wait(timeout: .now() + .seconds(2))
        errorDrained.signal()
        return errorLock.withLock { String(decoding: errorBytes, as: UTF8.self) }
    }

    private func failure(_ what: String) -> ProcessFailure {
        ProcessFailure(description: "\(executable) \(arguments.joined(separator: " ")): \(what)")
    }

    /// Runs a program to its end; returns its exit status, stdout and stderr.
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(20)) throws -> (status: Int32, output: String, error: String) {
        let child = try ChildProcess(executable, arguments)
        let status = try child.waitForExit(timeout: timeout)
        return (status, child.remainingOutput(), child.standardError)
    }
}

/// Finds the executables `swift build` put next to the test bundle.
public enum BuildProducts {
    /// The path of the product `name` (e.g. `firmware-sim`), looked for next to the running test
    /// binary, then in the bundle's directory, then in the package's `.build/debug`.
    public static func executable(_ name: String, filePath: String = #filePath) throws -> String {
        var candidates: [String] = []
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((running as NSString).deletingLastPathComponent + "/" + name)
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path)
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(name).path)
        var directory = (filePath as NSString).deletingLastPathComponent
        while directory.count > 1 {
            if FileManager.default.fileExists(atPath: directory + "/Package.swift") {
                candidates.append(directory + "/.build/debug/" + name)
                break
            }
            directory = (directory as NSString).deletingLastPathComponent
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw ProcessFailure(description: "no executable \(name); build it first (swift build). Looked in: \(candidates.joined(separator: ", "))")
    }
}
