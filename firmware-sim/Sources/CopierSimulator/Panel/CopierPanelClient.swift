import LineIO
/// A client of the front panel: sends a command line, reads the answer line. Not Sendable on
/// purpose: a connection belongs to one thread at a time (like `ModbusClient`).
public final class CopierPanelClient {
    public let address: SocketAddress
    private let client: LineClient

    /// Longest answer line accepted (a job's answer lists every scan).
    public static let maximumAnswerLength = 64 << 20

    public init(address: SocketAddress) throws(SocketError) {
        self.address = address
        client = LineClient(socket: try LineSocket.connect(to: address), peer: "the panel at \(address)", maximumAnswerLength: Self.maximumAnswerLength)
    }

    /// Sends `command` and waits for its answer: up to `timeout` (nil waits as long as it
    /// takes, as a job does).
    public func send(_ command: PanelCommand, timeout: Duration? = nil) throws(SocketError) -> JSONValue {
        try send(line: command.json.text, timeout: timeout)
    }

    /// Sends a raw line (which must not contain a newline) and parses the answer line.
    public func send(line: String, timeout: Duration? = nil) throws(SocketError) -> JSONValue {
        let text = try exchange(line: line, timeout: timeout)
        do {
            return try JSONParser.parse(text)
        } catch {
            throw SocketError("understand the answer from", address.description, reason: "not JSON (\(error)): \(text.prefix(200))")
        }
    }

    /// Sends a raw line and returns the answer line as text.
    public func exchange(line: String, timeout: Duration? = nil) throws(SocketError) -> String {
        try client.exchange(line: line, timeout: timeout)
    }
}
