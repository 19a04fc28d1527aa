import Foundation
import Glibc
import LineIO
import Protocol

/// The copier's print port (docs/print-port.md): a raw TCP socket like a printer's port 9100.
/// One job per connection: the client sends a `PrintJobHeader` and the PDF, the copier prints
/// it and answers one `PrintPortReply` line, then closes. Each connection has a thread of its
/// own; the copier itself still runs one job at a time (a second is refused as busy).
public final class CopierPrintServer: @unchecked Sendable {
    public let simulator: CopierSimulator
    public let address: SocketAddress
    /// The port actually bound (useful when started on port 0).
    public let port: Int
    /// How long a client may pause while sending its job before the copier gives up on it.
    public static let idleTimeout: Duration = .seconds(30)

    private let connections: ConnectionServer

    /// Binds and starts accepting. Like the panel, the port has no authentication (a real
    /// 9100 port has none either), so it listens only on a loopback address.
    public init(address: SocketAddress, simulator: CopierSimulator) throws(SocketError) {
        guard address.isLoopback else {
            throw SocketError("listen on", address.description, reason: "the print port listens only on a loopback address (127.x.x.x)")
        }
        let listener: Int32
        (listener, port) = try LineSocket.listen(on: address)
        self.address = address
        self.simulator = simulator
        connections = ConnectionServer(name: "copier-print", listener: listener) { socket, isStopped in
            let reply = Self.receiveAndPrint(socket, simulator: simulator, isStopped: isStopped)
            try? socket.send(line: reply.line, peer: "print client")
        }
    }

    /// Stops accepting and returns when every connection has ended (a job being printed is
    /// ended by the simulator's shutdown, which answers it).
    public func stop() { connections.stop() }

    private static func receiveAndPrint(_ socket: LineSocket, simulator: CopierSimulator, isStopped: () -> Bool) -> PrintPortReply {
        var lastProgress = ContinuousClock.now
        let keepWaiting = { !isStopped() && ContinuousClock.now - lastProgress < Self.idleTimeout }
        guard let prefix = socket.readBytes(count: PrintJobHeader.prefixLength, keepWaiting: keepWaiting) else {
            return .refused(.truncated, message: "the connection ended inside the header")
        }
        let header: PrintJobHeader
        do {
            let rest = try PrintJobHeader.remainingLength(afterPrefix: prefix)
            lastProgress = .now
            guard let tail = socket.readBytes(count: rest, keepWaiting: keepWaiting) else {
                return .refused(.truncated, message: "the connection ended inside the header")
            }
            header = try PrintJobHeader(decoding: prefix + tail)
        } catch {
            return .refused(.header, message: "bad print job header: \(error)")
        }
        lastProgress = .now
        var pdf: [UInt8] = []
        pdf.reserveCapacity(header.pdfLength)
        // Whatever arrives, so a slow sender that keeps sending is not cut off by the idle timeout.
        while pdf.count < header.pdfLength {
            guard let slice = socket.readSome(maximum: header.pdfLength - pdf.count, keepWaiting: keepWaiting) else {
                return .refused(.truncated, message: "the connection ended after \(pdf.count) of \(header.pdfLength) PDF bytes")
            }
            pdf += slice
            lastProgress = .now
        }
        return simulator.printJob(header, pdf: pdf)
    }
}
