import Foundation
import Glibc
import Protocol

/// A USB card reader that types like a keyboard, read from its Linux input device
/// (`/dev/input/eventN`). The device is grabbed (EVIOCGRAB) so card numbers do not also go to a
/// console. Each number completed by Enter is handed to `onCard`.
public final class EvdevCardReader: @unchecked Sendable {
    public let path: String
    private let onCard: @Sendable (String) -> Void
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    /// EVIOCGRAB = _IOW('E', 0x90, int).
    static let grab: UInt = 0x4004_4590

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String, onCard: @escaping @Sendable (String) -> Void) throws {
        self.path = path
        self.onCard = onCard
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open the card reader \(path): \(String(cString: strerror(errno)))") }
        _ = ioctl(fd, Self.grab, 1)  // fails harmlessly on a pipe or file (tests)
        let thread = Thread { [self] in
            readLoop(fd)
            close(fd)
            done.signal()
        }
        thread.name = "card-reader"
        thread.start()
    }

    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if wasRunning { done.wait() }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func readLoop(_ fd: Int32) {
        var decoder = KeyboardWedgeDecoder()
        var buffer = [UInt8](repeating: 0, count: KeyboardWedgeDecoder.eventSize * 64)
        while !isStopped {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                for card in decoder.feed(Array(buffer[0..<count])) { onCard(card) }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                usleep(100_000)  // unplugged or end of a pipe: wait for it to come back
            }
        }
    }
}
