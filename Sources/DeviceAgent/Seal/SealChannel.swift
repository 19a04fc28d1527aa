import Dispatch
import Protocol

/// What went wrong talking to the seal.
public enum SealLinkError: Error, Hashable, Sendable, CustomStringConvertible {
    case usb(SealUSBError)
    /// The bytes from the seal could not be cut into frames (framing errors are final until
    /// a reset; docs/seal-usb.md).
    case decode(SealDecodeError)
    case noAnswer(command: SealFrameType, withinMilliseconds: UInt32)

    /// The seal was unplugged: the session must end and the seal counts as locked.
    public var isSealGone: Bool {
        if case let .usb(error) = self { return error.isNoDevice }
        return false
    }

    public var description: String {
        switch self {
        case let .usb(error): return error.description
        case let .decode(error): return "the seal sent bytes that are not frames: \(error)"
        case let .noAnswer(command, milliseconds): return "the seal did not answer the \(command) within \(milliseconds) ms"
        }
    }
}

/// A stamp report as it came from the seal, with the frame sequence its ack must carry.
public struct ReceivedStampReport: Hashable, Sendable {
    public let frameSequence: UInt16
    public let report: SealStampReport
}

/// Seal frames over a `SealUSBLink`: numbers the commands (1, 2, ... wrapping to 1), matches
/// answers to them by sequence, and hands the stamp reports on. It does not ack them: the agent
/// acks a report once its use is stored (`ack(_:)`), so a report that arrived just before the
/// agent died is sent again by the seal (every 500 ms until acked) to the next agent. All USB I/O
/// runs on the channel's own serial queue, so the blocking libusb calls never hold a Swift
/// concurrency thread.
public final class SealChannel: @unchecked Sendable {
    private let queue = DispatchQueue(label: "imprimatur.seal-usb")
    // Everything below is touched only on `queue`.
    private let link: SealUSBLink
    private var decoder = SealFrameDecoder()
    private var sequence: UInt16 = 0
    private var reports: [ReceivedStampReport] = []

    public init(link: SealUSBLink) { self.link = link }

    /// Sends `message` and returns the seal's answer to it (an error frame is an answer).
    public func request(_ message: SealMessage, timeoutMilliseconds: UInt32 = 1000) async throws(SealLinkError) -> SealMessage {
        try await onQueue { channel throws(SealLinkError) in try channel.requestNow(message, timeoutMilliseconds: timeoutMilliseconds) }
    }

    /// Reads what the seal sent within `timeoutMilliseconds`; returns the stamp reports received
    /// since the last call (also those that came in while a command waited for its answer).
    public func poll(timeoutMilliseconds: UInt32) async throws(SealLinkError) -> [ReceivedStampReport] {
        try await onQueue { channel throws(SealLinkError) in try channel.pollNow(timeoutMilliseconds: timeoutMilliseconds) }
    }

    /// The stamp reports received while commands waited for answers, without reading more.
    public func takeReports() async -> [ReceivedStampReport] {
        await withCheckedContinuation { continuation in
            queue.async {
                defer { self.reports = [] }
                continuation.resume(returning: self.reports)
            }
        }
    }

    /// Tells the seal the report is handled (its use stored): it stops sending it again.
    public func ack(_ report: ReceivedStampReport) async throws(SealLinkError) {
        try await onQueue { channel throws(SealLinkError) in try channel.write(SealFrame(sequence: report.frameSequence, message: .ack)) }
    }

    /// Blocking forms, for callers that own a thread (the benchmark).
    public func requestBlocking(_ message: SealMessage, timeoutMilliseconds: UInt32 = 1000) throws(SealLinkError) -> SealMessage {
        let result: Result<SealMessage, SealLinkError> = queue.sync {
            do throws(SealLinkError) { return .success(try requestNow(message, timeoutMilliseconds: timeoutMilliseconds)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public func close() { queue.sync { link.close() } }

    // MARK: On the queue

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (SealChannel) throws(SealLinkError) -> T) async throws(SealLinkError) -> T {
        let result: Result<T, SealLinkError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(SealLinkError) {
                    continuation.resume(returning: .success(try body(self)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func requestNow(_ message: SealMessage, timeoutMilliseconds: UInt32) throws(SealLinkError) -> SealMessage {
        sequence = sequence == UInt16.max ? 1 : sequence + 1
        let sent = sequence
        try write(SealFrame(sequence: sent, message: message))
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            if let answer = try drain(answering: sent) { return answer }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw .noAnswer(command: message.type, withinMilliseconds: timeoutMilliseconds) }
            let left = UInt32(min((deadline - now) / 1_000_000 + 1, 200))
            try receive(timeoutMilliseconds: left)
        }
    }

    private func pollNow(timeoutMilliseconds: UInt32) throws(SealLinkError) -> [ReceivedStampReport] {
        try receive(timeoutMilliseconds: timeoutMilliseconds)
        _ = try drain(answering: nil)
        defer { reports = [] }
        return reports
    }

    private func receive(timeoutMilliseconds: UInt32) throws(SealLinkError) {
        let bytes: [UInt8]
        do { bytes = try link.read(timeoutMilliseconds: timeoutMilliseconds) } catch { throw .usb(error) }
        decoder.append(bytes)
    }

    /// Takes every complete frame out of the decoder: stamp reports are kept (not acked); the
    /// answer to command `sequence` is returned; anything else (a late answer to an earlier
    /// command) is dropped.
    private func drain(answering sent: UInt16?) throws(SealLinkError) -> SealMessage? {
        while true {
            let frame: SealFrame?
            do {
                frame = try decoder.next()
            } catch {
                if error.isFraming { throw .decode(error) }
                continue  // one bad frame from the seal: dropped, the stream goes on
            }
            guard let frame else { return nil }
            if case let .stampReport(report) = frame.message {
                let received = ReceivedStampReport(frameSequence: frame.sequence, report: report)
                if !reports.contains(received) { reports.append(received) }  // sent again while unacked
                continue
            }
            if let sent, frame.sequence == sent, frame.type.direction != .toSeal { return frame.message }
        }
    }

    private func write(_ frame: SealFrame) throws(SealLinkError) {
        do { try link.write(frame.encode(), timeoutMilliseconds: 1000) } catch { throw .usb(error) }
    }
}
