import CPty
import Foundation
import Glibc

/// Two pseudo-terminals joined back to back, like a null-modem cable between two serial ports:
/// bytes written to one end's device appear on the other's. Used to run Modbus RTU between the
/// agent and the simulated copier with no hardware (what `socat pty pty` does, in-process).
public final class PtyBridge: @unchecked Sendable {
    public let firstPath: String
    public let secondPath: String
    private let firstMaster: Int32
    private let secondMaster: Int32
    private let stopLock = NSLock()
    private var stopped = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        (firstMaster, firstPath) = try Self.openPty()
        (secondMaster, secondPath) = try Self.openPty()
        let thread = Thread { [self] in relay(); done.signal() }
        thread.name = "pty-bridge"
        self.thread = thread
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        let wasRunning: Bool = stopLock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard wasRunning else { return }
        done.wait()
        close(firstMaster)
        close(secondMaster)
    }

    private var isStopped: Bool { stopLock.withLock { stopped } }

    private static func openPty() throws -> (Int32, String) {
        var name = [CChar](repeating: 0, count: 128)
        let master = imprimatur_open_pty(&name, name.count)
        guard master >= 0 else { throw Failure(description: "cannot open a pseudo-terminal: errno \(errno)") }
        return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private func relay() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped {
            var fds = [pollfd(fd: firstMaster, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: secondMaster, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, 50) > 0 else { continue }
            for (index, entry) in fds.enumerated() where entry.revents & Int16(POLLIN) != 0 {
                let target = index == 0 ? secondMaster : firstMaster
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 { writeAll(target, buffer, count) }
            }
            // POLLHUP while no one has a slave open: wait instead of spinning.
            if fds.contains(where: { $0.revents & Int16(POLLHUP) != 0 && $0.revents & Int16(POLLIN) == 0 }) {
                usleep(10_000)
            }
        }
    }

    private func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) {
        var written = 0
        while written < count {
            let result = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, count - written) }
            if result > 0 { written += result } else if errno == EAGAIN { usleep(1000) } else { return }
        }
    }
}
