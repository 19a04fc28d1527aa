import Dispatch
import Foundation
import LineIO
import Protocol

/// The agent's side of the copier's print port (docs/print-port.md): one connection per job,
/// the header and the PDF out, one status line back. Socket calls block, so they run on a
/// dispatch queue, never on the Swift concurrency pool.
public struct PrintPortClient: Sendable {
    public let address: SocketAddress
    /// How long to wait for the status line after the last byte: rendering and printing take
    /// time per page, so this grows with the job.
    public var baseWait: Duration
    public var waitPerImpression: Duration

    public init(address: SocketAddress, baseWait: Duration = .seconds(60), waitPerImpression: Duration = .seconds(2)) {
        self.address = address
        self.baseWait = baseWait
        self.waitPerImpression = waitPerImpression
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Could not connect or send: nothing may have been printed, or the job may be under way.
        case connection(String)
        /// The copier answered something that is not a status line.
        case badReply(String)
        /// No status line in time (or the copier closed without one).
        case noReply(String)

        public var description: String {
            switch self {
            case let .connection(text): return "print port: \(text)"
            case let .badReply(text): return "print port answered: \(text)"
            case let .noReply(text): return "print port: \(text)"
            }
        }
    }

    /// Sends one job and returns the copier's status line.
    public func send(_ header: PrintJobHeader, pdf: [UInt8], impressions: UInt32) async -> Result<PrintPortReply, Failure> {
        let address = address
        let wait = baseWait + waitPerImpression * Int(impressions)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.exchange(address, header: header, pdf: pdf, wait: wait))
            }
        }
    }

    private static func exchange(_ address: SocketAddress, header: PrintJobHeader, pdf: [UInt8], wait: Duration) -> Result<PrintPortReply, Failure> {
        let socket: LineSocket
        do { socket = try LineSocket.connect(to: address) } catch { return .failure(.connection("\(error)")) }
        defer { socket.close() }
        do {
            try socket.send(bytes: header.encoded, peer: address.description)
            try socket.send(bytes: pdf, peer: address.description)
        } catch {
            // The copier may have refused early (a locked copier answers and closes at once): read its line.
            if case let .line(text) = socket.readLine(maximumLength: 4096, keepWaiting: { false }) { return parse(text) }
            return .failure(.connection("\(error)"))
        }
        let deadline = ContinuousClock.now + wait
        switch socket.readLine(maximumLength: 4096, keepWaiting: { ContinuousClock.now < deadline }) {
        case let .line(text): return parse(text)
        case .tooLong: return .failure(.badReply("a line longer than 4096 bytes"))
        case .closed: return .failure(.noReply("the copier closed the connection without a status line"))
        case .gaveUp: return .failure(.noReply("no status line within \(wait)"))
        }
    }

    private static func parse(_ line: String) -> Result<PrintPortReply, Failure> {
        do { return .success(try PrintPortReply(line: line)) } catch { return .failure(.badReply("\(error)")) }
    }
}
