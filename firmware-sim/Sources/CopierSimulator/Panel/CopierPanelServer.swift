import Foundation
import LineIO

/// The front panel on a loopback TCP port: a person (or a script) at the copier, one JSON
/// command per line, one JSON answer per line (docs/copier-simulator.md). A `job` that waits for
/// its pages holds only its own connection.
public final class CopierPanelServer: Sendable {
    public let simulator: CopierSimulator
    public let address: SocketAddress
    /// The port actually bound (useful when started on port 0).
    public let port: Int
    private let server: LineServer

    /// Binds and starts accepting. The panel has no authentication, so it listens only on a
    /// loopback address.
    public init(address: SocketAddress, simulator: CopierSimulator) throws(SocketError) {
        guard address.isLoopback else {
            throw SocketError("listen on", address.description, reason: "the panel listens only on a loopback address (127.x.x.x)")
        }
        let (listener, port) = try LineSocket.listen(on: address)
        self.address = address
        self.port = port
        self.simulator = simulator
        server = LineServer(
            name: "copier-panel", listener: listener, maximumLineLength: PanelCommand.maximumLineLength,
            tooLong: { PanelStatus.error(PanelCommandError.lineTooLong(limit: $0).description).text },
            handler: { simulator.answer(line: $0).text }
        )
    }

    /// Stops accepting, closes every connection once its current command is answered, and
    /// returns when all of them have ended.
    public func stop() { server.stop() }
}
